//! Shared matcher for the risk-level conditions (evaluation.md §3.9).

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::ids::is;
use crate::model::{Reason, RiskLevel};

#[derive(Debug, PartialEq)]
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
    pub fn eval(&self, level: Option<RiskLevel>, missing: &'static str) -> Check {
        match level {
            None => Check::Unknown(missing.into()),
            Some(RiskLevel::Hidden) => {
                Check::Unknown(format!("{} hidden (no Entra ID P2 licence)", self.what).into())
            }
            Some(l) if self.levels.contains(&l) => Check::Yes,
            Some(_) if !self.unreadable.is_empty() => Check::Unknown(
                format!(
                    "{}: unknown level(s) {}",
                    self.what,
                    self.unreadable.join(", ")
                )
                .into(),
            ),
            Some(l) => Check::No(not_targeted(self.what, l)),
        }
    }
}

/// "<what> <level> not targeted", fixed text for the condition names and levels of this
/// module (the engine returns one per policy and event), formatted for any other.
fn not_targeted(what: &'static str, l: RiskLevel) -> Reason {
    macro_rules! table {
        ($($w:literal),*) => {
            match (what, l) {
                $(
                    ($w, RiskLevel::None) => concat!($w, " none not targeted").into(),
                    ($w, RiskLevel::Low) => concat!($w, " low not targeted").into(),
                    ($w, RiskLevel::Medium) => concat!($w, " medium not targeted").into(),
                    ($w, RiskLevel::High) => concat!($w, " high not targeted").into(),
                )*
                _ => format!("{what} {l:?} not targeted").to_lowercase().into(),
            }
        };
    }
    table!("sign-in risk", "user risk", "service-principal risk")
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn fixed_reasons_match_the_formatted_text() {
        for what in [
            "sign-in risk",
            "user risk",
            "service-principal risk",
            "other risk",
        ] {
            for l in [
                RiskLevel::None,
                RiskLevel::Low,
                RiskLevel::Medium,
                RiskLevel::High,
            ] {
                assert_eq!(
                    not_targeted(what, l),
                    format!("{what} {l:?} not targeted").to_lowercase()
                );
            }
        }
        assert!(matches!(
            not_targeted("user risk", RiskLevel::Low),
            Reason::Borrowed(_)
        ));
    }
}
