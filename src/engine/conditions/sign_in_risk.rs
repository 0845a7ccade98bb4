//! Sign-in risk condition (evaluation.md §3.9): riskLevelDuringSignIn (real-time).

use super::risk::LevelSet;
use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;

#[derive(Debug, PartialEq)]
pub struct SignInRiskCond(LevelSet);

pub(crate) fn compile(levels: &[String], cx: &mut CompileCx) -> Option<SignInRiskCond> {
    LevelSet::compile(levels, "sign-in risk", cx).map(SignInRiskCond)
}

impl SignInRiskCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        self.0
            .eval(ctx.facts.sign_in_risk, "sign-in risk level unknown")
    }
}
