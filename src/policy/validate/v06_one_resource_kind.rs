//! V6: a policy targets exactly one kind of resource: applications, user actions, or
//! authentication contexts (policy-model.md §4).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    OneResourceKind,
    "V6",
    "one-resource-kind",
    Severity::Error,
    "exactly one resource kind: applications, user actions or authentication contexts",
    |p, t| {
        let Some(a) = view::apps(p) else {
            return vec![];
        };
        let mut kinds = Vec::new();
        if !a.include_applications.is_empty() && !view::only(&a.include_applications, "None")
            || !a.exclude_applications.is_empty()
            || a.application_filter.is_some()
        {
            kinds.push("applications");
        }
        if !a.include_user_actions.is_empty() {
            kinds.push("user actions");
        }
        if !a.include_authentication_context_class_references.is_empty() {
            kinds.push("authentication contexts");
        }
        let none_apps = view::only(&a.include_applications, "None");
        match kinds.len() {
            1 => vec![],
            0 if none_apps => vec![],
            0 => vec![Hit::new(
                ".conditions.applications",
                "no target resource: includeApplications, includeUserActions and \
                 includeAuthenticationContextClassReferences are all empty",
            )],
            _ => vec![Hit::new(
                ".conditions.applications",
                format!(
                    "mixes resource kinds ({}); a policy targets exactly one",
                    kinds.join(", ")
                ),
            )],
        }
    }
);
