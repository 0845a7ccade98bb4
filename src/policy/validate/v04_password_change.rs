//! V4: `passwordChange` needs `mfa`, operator AND, user-risk levels, All apps without
//! exclusions, and no other conditions (policy-model.md §11).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    PasswordChange,
    "V4",
    "password-change-shape",
    Severity::Error,
    "passwordChange: with mfa, AND, userRiskLevels, All apps, no other conditions",
    |p, t| {
        if !view::has_control(p, "passwordChange") {
            return vec![];
        }
        let mut wrong = Vec::new();
        if !view::has_control(p, "mfa") {
            wrong.push("`mfa` is not also required");
        }
        if view::grant_count(p) > 1 && !view::operator_is_and(p) {
            wrong.push("operator is not AND");
        }
        let c = view::conditions(p);
        if c.is_none_or(|c| c.user_risk_levels.is_empty()) {
            wrong.push("no `userRiskLevels` condition");
        }
        let apps = view::apps(p);
        if !view::includes_all_apps(p) || apps.is_some_and(|a| !a.exclude_applications.is_empty()) {
            wrong.push("target is not All resources without exclusions");
        }
        if let Some(c) = c {
            let client_all = c.client_app_types.is_empty()
                || (c.client_app_types.len() == 1 && view::has(&c.client_app_types, "all"));
            let other = !c.sign_in_risk_levels.is_empty()
                || c.platforms.is_some()
                || c.locations.as_ref().is_some_and(|l| {
                    !l.include_locations.is_empty() || !l.exclude_locations.is_empty()
                })
                || !client_all
                || c.devices.is_some()
                || c.client_applications.is_some()
                || c.authentication_flows.is_some();
            if other {
                wrong.push("other conditions than users, applications and user risk are set");
            }
        }
        if wrong.is_empty() {
            vec![]
        } else {
            vec![Hit::new(
                ".grantControls.builtInControls",
                format!("`passwordChange` requires: {}", wrong.join("; ")),
            )]
        }
    }
);
