//! Insider risk (evaluation.md §3.9): Purview adaptive protection level; not in logs.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::model::InsiderRisk;

#[derive(Debug, PartialEq)]
pub struct InsiderRiskCond {
    levels: Vec<InsiderRisk>,
    unreadable: Vec<String>,
}

pub(crate) fn compile(flags: &[String], cx: &mut CompileCx) -> Option<InsiderRiskCond> {
    if flags.is_empty() {
        return None;
    }
    let mut c = InsiderRiskCond {
        levels: vec![],
        unreadable: vec![],
    };
    for f in flags {
        if is(f, "minor") {
            c.levels.push(InsiderRisk::Minor);
        } else if is(f, "moderate") {
            c.levels.push(InsiderRisk::Moderate);
        } else if is(f, "elevated") {
            c.levels.push(InsiderRisk::Elevated);
        } else {
            cx.issue(format!(
                "insiderRiskLevels: unknown level `{f}`: evaluated as Unknown"
            ));
            c.unreadable.push(f.clone());
        }
    }
    Some(c)
}

impl InsiderRiskCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match ctx.facts.insider_risk {
            None => Check::Unknown("insider risk unknown (not in sign-in logs)".into()),
            Some(l) if self.levels.contains(&l) => Check::Yes,
            Some(_) if !self.unreadable.is_empty() => {
                Check::Unknown("insiderRiskLevels has unknown values".into())
            }
            Some(l) => Check::No(
                format!("insider risk {l:?} not targeted")
                    .to_lowercase()
                    .into(),
            ),
        }
    }
}
