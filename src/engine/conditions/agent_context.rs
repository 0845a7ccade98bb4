//! Agent execution environments (`conditions.agentContext`: `includeAgentContexts`,
//! `excludeAgentContexts`), observed in 2026 beta exports and documented only in the
//! portal's terms (howto-target-agent-identities.md "Agent execution environments": "All
//! agent user sessions" or "Agent user sessions initiated from endpoints"). Whether an
//! agent's user-account session started on an endpoint is not in sign-in logs, so
//! `agentUserSessionsInitiatedFromEndpoints` is Unknown; an unknown value is Unknown too.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use serde_json::Value;

#[derive(Debug, PartialEq)]
pub struct AgentContextCond {
    /// Include side covers every agent-user session.
    include_all: bool,
    /// The values that cannot be decided from a log, for the reason.
    undecidable: Vec<String>,
}

/// Values of one side (`includeAgentContexts` / `excludeAgentContexts`); any other shape
/// is reported and read as undecidable.
fn values(c: &Value, key: &str, cx: &mut CompileCx) -> Vec<String> {
    match c.get(key) {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).collect(),
        Some(other) => {
            cx.issue(format!("agentContext.{key}: unexpected value {other}"));
            vec![other.to_string()]
        }
    }
}

fn is_all(v: &str) -> bool {
    is(v, "all") || is(v, "allAgentUserSessions")
}

pub(crate) fn compile(c: Option<&Value>, cx: &mut CompileCx) -> Option<AgentContextCond> {
    let c = c.filter(|v| !v.is_null())?;
    let include = values(c, "includeAgentContexts", cx);
    let exclude = values(c, "excludeAgentContexts", cx);
    if include.is_empty() && exclude.is_empty() {
        return None;
    }
    let mut undecidable = vec![];
    for v in include.iter().chain(&exclude) {
        if is_all(v) && !exclude.contains(v) {
            continue;
        }
        if !is(v, "agentUserSessionsInitiatedFromEndpoints") {
            cx.issue(format!(
                "agentContext value `{v}` is not one careplay knows: evaluated as Unknown"
            ));
        }
        undecidable.push(v.clone());
    }
    Some(AgentContextCond {
        include_all: include.iter().any(|v| is_all(v)),
        undecidable,
    })
}

impl AgentContextCond {
    pub fn eval(&self, _ctx: &Ctx) -> Check {
        if self.include_all && self.undecidable.is_empty() {
            return Check::Yes;
        }
        Check::Unknown(
            format!(
                "agent execution environment ({}) is not in sign-in logs",
                self.undecidable.join(", ")
            )
            .into(),
        )
    }
}
