//! User risk condition (evaluation.md §3.9): user risk at sign-in time; not in logs, needs a risk history.

use super::risk::LevelSet;
use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;

#[derive(Debug, PartialEq)]
pub struct UserRiskCond(LevelSet);

pub(crate) fn compile(levels: &[String], cx: &mut CompileCx) -> Option<UserRiskCond> {
    LevelSet::compile(levels, "user risk", cx).map(UserRiskCond)
}

impl UserRiskCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        self.0.eval(
            ctx.facts.user_risk,
            "user risk unknown (not in sign-in logs)",
        )
    }
}
