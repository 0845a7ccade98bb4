//! Service-principal risk condition (evaluation.md §3.9): service-principal risk; not in logs.

use super::risk::LevelSet;
use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;

#[derive(Debug, PartialEq)]
pub struct SpRiskCond(LevelSet);

pub(crate) fn compile(levels: &[String], cx: &mut CompileCx) -> Option<SpRiskCond> {
    LevelSet::compile(levels, "service-principal risk", cx).map(SpRiskCond)
}

impl SpRiskCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        self.0.eval(
            ctx.facts.service_principal_risk,
            "service-principal risk unknown (not in sign-in logs)",
        )
    }
}
