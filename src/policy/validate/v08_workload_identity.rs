//! V8: a workload-identity policy (`clientApplications` set) only blocks and has
//! `includeUsers = ["None"]` (policy-model.md §5).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    WorkloadIdentity,
    "V8",
    "workload-identity-shape",
    Severity::Error,
    "clientApplications policies: grant is block, includeUsers is [\"None\"]",
    |p, t| {
        let Some(ca) = view::client_apps(p) else {
            return vec![];
        };
        if ca.include_service_principals.is_empty() && ca.service_principal_filter.is_none() {
            return vec![];
        }
        let mut hits = Vec::new();
        if !(view::has_control(p, "block") && view::grant_count(p) == 1) {
            hits.push(Hit::new(
                ".grantControls",
                "a workload-identity policy can only block access",
            ));
        }
        if let Some(u) = view::users(p) {
            let nobody = u.include_users.is_empty() || view::only(&u.include_users, "None");
            if !nobody || !u.include_groups.is_empty() || !u.include_roles.is_empty() {
                hits.push(Hit::new(
                    ".conditions.users.includeUsers",
                    "a workload-identity policy must have includeUsers [\"None\"] and no user scope",
                ));
            }
        }
        hits
    }
);
