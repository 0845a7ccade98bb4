//! V1: `conditions.applications` present; `users` or `clientApplications` present; plus
//! the required `state` of a conditionalAccessPolicy (policy-model.md §1, §2, §15).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view::{self, State};

define_rule!(
    Required,
    "V1",
    "required-fields",
    Severity::Error,
    "conditions.applications, users or clientApplications, and state are required",
    |p, t| {
        let mut hits = Vec::new();
        match &p.conditions {
            None => hits.push(Hit::new(".conditions", "missing `conditions` (required)")),
            Some(c) => {
                if c.applications.is_none() {
                    hits.push(Hit::new(
                        ".conditions.applications",
                        "missing `conditions.applications` (required; Graph rejects the policy)",
                    ));
                }
                if c.users.is_none() && c.client_applications.is_none() {
                    hits.push(Hit::new(
                        ".conditions.users",
                        "neither `users` nor `clientApplications` is set: the policy targets no one",
                    ));
                }
            }
        }
        if view::state(p) == State::Other {
            let msg = match &p.state {
                None => "missing `state` (enabled | disabled | enabledForReportingButNotEnforced)"
                    .to_string(),
                Some(s) => format!(
                    "state {s:?} is not one of enabled, disabled, enabledForReportingButNotEnforced"
                ),
            };
            hits.push(Hit::new(".state", msg));
        }
        hits
    }
);
