//! Agent risk (`agentIdRiskLevels`: low, medium, high; Graph beta
//! conditionalAccessConditionSet). ID Protection's agent risk is not in sign-in exports
//! (entra-docs id-protection/concept-risky-agents.md; howto-target-agent-identities.md
//! "Conditions for agent identities": agent risk is their only condition), so a configured
//! condition is always Unknown: never silently satisfied, never a guessed No.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;

#[derive(Debug, PartialEq)]
pub struct AgentRiskCond {
    levels: String,
}

pub(crate) fn compile(flags: &[String], cx: &mut CompileCx) -> Option<AgentRiskCond> {
    if flags.is_empty() {
        return None;
    }
    for f in flags {
        if !["low", "medium", "high"].iter().any(|l| is(f, l)) {
            cx.issue(format!(
                "agentIdRiskLevels: unknown level `{f}` (evaluated as Unknown like every agent risk)"
            ));
        }
    }
    Some(AgentRiskCond {
        levels: flags.join(","),
    })
}

impl AgentRiskCond {
    pub fn eval(&self, _ctx: &Ctx) -> Check {
        Check::Unknown(format!("agent risk ({}) is not in sign-in logs", self.levels).into())
    }
}
