//! Read-only helpers over the serde model used by validation and lint rules: enum values
//! compared case-insensitively (policy-model.md §0), missing/null/empty treated alike.

use super::model::{
    Applications, AuthenticationStrength, ClientApplications, Conditions, GrantControls, Policy,
    Users,
};

/// The six guest / external user types (policy-model.md §3).
pub const GUEST_TYPES: [&str; 6] = [
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];

pub const REGISTER_SECURITY_INFO: &str = "urn:user:registersecurityinfo";
pub const REGISTER_DEVICE: &str = "urn:user:registerdevice";

pub fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v.trim().eq_ignore_ascii_case(value))
}

/// `list` is exactly `[value]` (any case).
pub fn only(list: &[String], value: &str) -> bool {
    list.len() == 1 && has(list, value)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    On,
    Off,
    ReportOnly,
    /// Missing or not a documented value.
    Other,
}

pub fn state(p: &Policy) -> State {
    match p
        .state
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        Some("enabled") => State::On,
        Some("disabled") => State::Off,
        Some("enabledforreportingbutnotenforced") => State::ReportOnly,
        _ => State::Other,
    }
}

pub fn conditions(p: &Policy) -> Option<&Conditions> {
    p.conditions.as_ref()
}

pub fn users(p: &Policy) -> Option<&Users> {
    conditions(p).and_then(|c| c.users.as_ref())
}

pub fn apps(p: &Policy) -> Option<&Applications> {
    conditions(p).and_then(|c| c.applications.as_ref())
}

pub fn client_apps(p: &Policy) -> Option<&ClientApplications> {
    conditions(p).and_then(|c| c.client_applications.as_ref())
}

pub fn grant(p: &Policy) -> Option<&GrantControls> {
    p.grant_controls.as_ref()
}

pub fn strength(p: &Policy) -> Option<&AuthenticationStrength> {
    grant(p).and_then(|g| g.authentication_strength.as_ref())
}

/// Built-in controls, lower-cased.
pub fn controls(p: &Policy) -> Vec<String> {
    grant(p)
        .map(|g| {
            g.built_in_controls
                .iter()
                .map(|c| c.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

pub fn has_control(p: &Policy, control: &str) -> bool {
    controls(p).iter().any(|c| c.eq_ignore_ascii_case(control))
}

pub fn operator_is_and(p: &Policy) -> bool {
    grant(p)
        .and_then(|g| g.operator.as_deref())
        .is_some_and(|o| o.trim().eq_ignore_ascii_case("and"))
}

/// Number of grant requirements (built-ins + ToU + custom + strength).
pub fn grant_count(p: &Policy) -> usize {
    grant(p)
        .map(|g| {
            g.built_in_controls.len()
                + g.terms_of_use.len()
                + g.custom_authentication_factors.len()
                + usize::from(g.authentication_strength.is_some())
        })
        .unwrap_or(0)
}

pub fn user_actions(p: &Policy) -> &[String] {
    apps(p)
        .map(|a| a.include_user_actions.as_slice())
        .unwrap_or(&[])
}

pub fn includes_all_users(p: &Policy) -> bool {
    users(p).is_some_and(|u| has(&u.include_users, "All"))
}

pub fn includes_all_apps(p: &Policy) -> bool {
    apps(p).is_some_and(|a| has(&a.include_applications, "All"))
}

/// Any user, group or role excluded (guest-type exclusions do not count).
pub fn excludes_directory_objects(u: &Users) -> bool {
    u.exclude_users
        .iter()
        .any(|x| !x.trim().eq_ignore_ascii_case("GuestsOrExternalUsers"))
        || !u.exclude_groups.is_empty()
        || !u.exclude_roles.is_empty()
}

/// Guest/external types a policy's user scope includes (empty = no guests).
pub fn included_guest_types(u: &Users) -> Vec<&'static str> {
    let excluded: Vec<&'static str> = if has(&u.exclude_users, "GuestsOrExternalUsers") {
        GUEST_TYPES.to_vec()
    } else {
        u.exclude_guests_or_external_users
            .as_ref()
            .filter(|g| {
                // Only an "all tenants" exclusion removes the type for every guest.
                g.external_tenants
                    .as_ref()
                    .and_then(|t| t.membership_kind.as_deref())
                    .is_none_or(|k| k.eq_ignore_ascii_case("all"))
            })
            .map(|g| listed_types(&g.guest_or_external_user_types.0))
            .unwrap_or_default()
    };
    let included: Vec<&'static str> =
        if has(&u.include_users, "All") || has(&u.include_users, "GuestsOrExternalUsers") {
            GUEST_TYPES.to_vec()
        } else {
            u.include_guests_or_external_users
                .as_ref()
                .map(|g| listed_types(&g.guest_or_external_user_types.0))
                .unwrap_or_default()
        };
    included
        .into_iter()
        .filter(|t| !excluded.contains(t))
        .collect()
}

fn listed_types(values: &[String]) -> Vec<&'static str> {
    GUEST_TYPES
        .iter()
        .copied()
        .filter(|t| has(values, t))
        .collect()
}
