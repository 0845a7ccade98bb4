//! L1: a policy for All users should exclude the emergency-access (break-glass) accounts
//! (seed: protect-security-info-registration.txt, "User exclusions").
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view::{self, State};

define_rule!(
    NoEmergencyExclusion,
    "L1",
    "no-emergency-access-exclusion",
    Severity::Warning,
    "All-users policies exclude emergency-access accounts (a user or group)",
    |p, t| {
        if view::state(p) == State::Off || !view::includes_all_users(p) {
            return vec![];
        }
        let Some(u) = view::users(p) else {
            return vec![];
        };
        let excluded = u
            .exclude_users
            .iter()
            .any(|x| !x.trim().eq_ignore_ascii_case("GuestsOrExternalUsers"))
            || !u.exclude_groups.is_empty();
        if excluded {
            return vec![];
        }
        vec![Hit::new(
            ".conditions.users.excludeUsers",
            "targets All users but excludes no user or group: exclude the emergency-access \
             (break-glass) accounts so a misconfiguration cannot lock every administrator out",
        )]
    }
);
