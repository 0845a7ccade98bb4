//! L2: Temporary Access Pass does not work for guest users (seed:
//! protect-security-info-registration.txt; policy-model.md §14.4). A policy that includes
//! guests and expects TAP to bootstrap MFA (security-info registration, or a custom
//! strength that adds TAP) leaves new guests unable to satisfy it.
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::strengths::builtin_strengths;
use crate::policy::view;

fn is_tap(c: &str) -> bool {
    c.split(',').any(|m| {
        m.trim()
            .to_ascii_lowercase()
            .starts_with("temporaryaccesspass")
    })
}

define_rule!(
    GuestTap,
    "L2",
    "guests-rely-on-tap",
    Severity::Warning,
    "guests included where TAP is the intended way to satisfy MFA / the strength",
    |p, t| {
        if view::state(p) == view::State::Off {
            return vec![];
        }
        let Some(u) = view::users(p) else {
            return vec![];
        };
        let guests = view::included_guest_types(u);
        // Internal guests are local accounts: a TAP can be issued to them (§14.4).
        let external: Vec<&str> = guests
            .into_iter()
            .filter(|g| *g != "internalGuest")
            .collect();
        if external.is_empty() {
            return vec![];
        }
        let requires_mfa = view::has_control(p, "mfa");
        let builtins = builtin_strengths();
        let strength = view::strength(p).and_then(|s| t.resolve_strength(s, &builtins));
        let registration = view::has(view::user_actions(p), view::REGISTER_SECURITY_INFO);
        let custom_tap = strength.is_some_and(|s| {
            !s.policy_type
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("builtIn"))
                && s.allowed_combinations.iter().any(|c| is_tap(c))
        });
        let demands = requires_mfa || view::strength(p).is_some();
        if !(demands && (registration || custom_tap)) {
            return vec![];
        }
        let why = if registration {
            "registering security info is where new users bootstrap MFA with a Temporary Access Pass"
        } else {
            "the required strength relies on Temporary Access Pass"
        };
        vec![Hit::new(
            ".conditions.users",
            format!(
                "includes guest/external users ({}) but {why}, and TAP does not work for guest \
                 users: a guest without a registered method cannot satisfy this policy. Exclude \
                 all guest and external users here and give them their own policy (e.g. block \
                 registration outside trusted networks)",
                external.join(", ")
            ),
        )]
    }
);
