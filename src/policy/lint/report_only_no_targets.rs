//! L4: a report-only policy that targets no one (no users, no workload identities, or no
//! resources) never produces a report-only result: the preview shows nothing. Agent
//! identities and agent users count as targets.
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view::{self, State};

define_rule!(
    ReportOnlyNoTargets,
    "L4",
    "report-only-targets-no-one",
    Severity::Warning,
    "report-only policies that target no user, workload identity or resource",
    |p, t| {
        if view::state(p) != State::ReportOnly {
            return vec![];
        }
        let mut hits = Vec::new();
        let users_target = view::users(p).is_some_and(|u| {
            let named = u
                .include_users
                .iter()
                .any(|x| !x.trim().eq_ignore_ascii_case("None"));
            named
                || !u.include_groups.is_empty()
                || !u.include_roles.is_empty()
                || u.include_guests_or_external_users
                    .as_ref()
                    .is_some_and(|g| !g.guest_or_external_user_types.0.is_empty())
        });
        let workload_target = view::client_apps(p).is_some_and(|c| {
            !c.include_service_principals.is_empty()
                || c.service_principal_filter.is_some()
                || !c.include_agent_id_service_principals.is_empty()
                || c.agent_id_service_principal_filter.is_some()
        });
        // Agent users (`conditions.agents`, howto-target-agent-identities.md) are a target
        // too: the engine evaluates them (src/engine/conditions/users.rs).
        let agent_users_target = p
            .conditions
            .as_ref()
            .and_then(|c| c.agents.as_ref())
            .and_then(|a| a.as_object())
            .is_some_and(|a| {
                a.get("includeAgentUsers")
                    .and_then(|v| v.as_array())
                    .is_some_and(|v| !v.is_empty())
                    || a.get("agentFilter").is_some_and(|v| !v.is_null())
            });
        if !users_target && !workload_target && !agent_users_target {
            hits.push(Hit::new(
                ".conditions.users",
                "report-only policy includes no user, group, role, guest type or workload identity",
            ));
        }
        if let Some(a) = view::apps(p) {
            let resources = a
                .include_applications
                .iter()
                .any(|x| !x.trim().eq_ignore_ascii_case("None"))
                || !a.include_user_actions.is_empty()
                || !a.include_authentication_context_class_references.is_empty()
                || a.application_filter.is_some();
            if !resources {
                hits.push(Hit::new(
                    ".conditions.applications",
                    "report-only policy targets no resource (includeApplications is empty or None)",
                ));
            }
        }
        hits
    }
);
