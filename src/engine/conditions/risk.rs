//! Shared matcher for the risk-level conditions (evaluation.md §3.9).

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::ids::is;
use crate::model::RiskLevel;

#[derive(Debug)]
pub(crate) struct LevelSet {
    what: &'static str,
    levels: Vec<RiskLevel>,
    unreadable: Vec<String>,
}

pub(crate) fn parse_level(s: &str) -> Option<RiskLevel> {
    [
        ("none", RiskLevel::None),
        ("low", RiskLevel::Low),
        ("medium", RiskLevel::Medium),
        ("high", RiskLevel::High),
        ("hidden", RiskLevel::Hidden),
    ]
    .into_iter()
    .find(|(n, _)| is(s, n))
    .map(|(_, l)| l)
}

impl LevelSet {
    /// `None` when the list is empty (not configured).
    pub fn compile(list: &[String], what: &'static str, cx: &mut CompileCx) -> Option<LevelSet> {
        if list.is_empty() {
            return None;
        }
        let mut s = LevelSet {
            what,
            levels: vec![],
            unreadable: vec![],
        };
        for v in list {
            match parse_level(v) {
                Some(l) => s.levels.push(l),
                None => {
                    cx.issue(format!(
                        "{what}: unknown level `{v}` (V13): evaluated as Unknown"
                    ));
                    s.unreadable.push(v.clone());
                }
            }
        }
        Some(s)
    }

    /// `hidden` (no P2 licence) is not a level: Unknown.
    pub fn eval(&self, level: Option<RiskLevel>, missing: &str) -> Check {
        match level {
            None => Check::Unknown(missing.to_string()),
            Some(RiskLevel::Hidden) => {
                Check::Unknown(format!("{} hidden (no Entra ID P2 licence)", self.what))
            }
            Some(l) if self.levels.contains(&l) => Check::Yes,
            Some(_) if !self.unreadable.is_empty() => Check::Unknown(format!(
                "{}: unknown level(s) {}",
                self.what,
                self.unreadable.join(", ")
            )),
            Some(l) => Check::No(format!("{} {:?} not targeted", self.what, l).to_lowercase()),
        }
    }
}
