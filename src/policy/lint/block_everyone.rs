//! V16: All users + All resources + Block without exclusions locks everyone out,
//! administrators included (policy-model.md §15).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view::{self, State};

define_rule!(
    BlockEveryone,
    "V16",
    "blocks-everyone",
    Severity::Warning,
    "All users + All resources + block without exclusions (tenant lockout)",
    |p, t| {
        if view::state(p) == State::Off || !view::has_control(p, "block") {
            return vec![];
        }
        if !(view::includes_all_users(p) && view::includes_all_apps(p)) {
            return vec![];
        }
        let Some(u) = view::users(p) else {
            return vec![];
        };
        let user_exclusions = !u.exclude_users.is_empty()
            || !u.exclude_groups.is_empty()
            || !u.exclude_roles.is_empty()
            || u.exclude_guests_or_external_users.is_some();
        let app_exclusions = view::apps(p).is_some_and(|a| !a.exclude_applications.is_empty());
        if user_exclusions || app_exclusions {
            return vec![];
        }
        vec![Hit::new(
            ".grantControls.builtInControls",
            "blocks All users on All resources with no exclusion: every sign-in that meets the \
             remaining conditions is blocked, emergency-access accounts included",
        )]
    }
);
