//! V13: `unknownFutureValue` anywhere, or non-null beta-only fields, mean careplay cannot
//! evaluate the policy faithfully; the engine reports Unknown (policy-model.md §0, §2).
use crate::policy::finding::{define_rule, Hit, Severity};
use serde_json::Value;

fn find_unknown_future(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s)
            if s.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("unknownFutureValue")) =>
        {
            out.push(path.to_string())
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                find_unknown_future(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                find_unknown_future(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

define_rule!(BetaFields, "V13", "not-evaluated-fields", Severity::Warning,
    "unknownFutureValue or beta-only fields (times, clients, networkAccess, …) are not evaluated; agent risk and agent execution environments are Unknown",
    |p, t| {
        let mut hits = Vec::new();
        if let Ok(v) = serde_json::to_value(p) {
            let mut paths = Vec::new();
            find_unknown_future(&v, "", &mut paths);
            for path in paths {
                hits.push(Hit::new(path, "`unknownFutureValue`: the real value was hidden by the exporter \
                    (missing `Prefer: include-unknown-enum-members`); this part evaluates as Unknown"));
            }
        }
        let Some(c) = &p.conditions else { return hits };
        let present = |v: &Option<Value>| v.as_ref().is_some_and(|v| !v.is_null());
        // The engine evaluates these two, but from facts no sign-in log carries: the
        // condition is Unknown on every event (src/engine/conditions/agent_risk.rs,
        // agent_context.rs).
        if !c.agent_id_risk_levels.0.is_empty() {
            hits.push(Hit::new(".conditions.agentIdRiskLevels",
                "agent risk is not in sign-in logs: the condition evaluates as Unknown on every event \
                 (a policy scoped to agents only is still notApplied for everyone else)"));
        }
        if present(&c.agent_context) {
            hits.push(Hit::new(".conditions.agentContext",
                "whether an agent user's session started on an endpoint is not in sign-in logs: \
                 `agentUserSessionsInitiatedFromEndpoints` evaluates as Unknown"));
        }
        for (name, set) in [
            ("times", present(&c.times)),
            ("clients", present(&c.clients)),
        ] {
            if set {
                hits.push(Hit::new(format!(".conditions.{name}"),
                    format!("beta-only condition `{name}` is not evaluated; policies using it evaluate as Unknown")));
            }
        }
        // The engine does evaluate the deprecated device states (engine/conditions/
        // device_states.rs: excluded Compliant / DomainJoined devices), so the warning says
        // what it is: deprecated, not "not evaluated".
        if c.device_states.is_some() {
            hits.push(Hit::new(".conditions.deviceStates",
                "deprecated condition `deviceStates` is evaluated (excluded Compliant / DomainJoined \
                 devices, Unknown where the log lacks compliance or join type); Microsoft replaced \
                 it with filter for devices (https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices)"));
        }
        if let Some(a) = &c.applications {
            for (name, v) in [("networkAccess", &a.network_access), ("globalSecureAccess", &a.global_secure_access)] {
                if present(v) {
                    hits.push(Hit::new(format!(".conditions.applications.{name}"),
                        format!("Global Secure Access target `{name}` is not evaluated from sign-in logs")));
                }
            }
        }
        hits
    });
