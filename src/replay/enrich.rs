//! Facts that sign-in logs do not carry, added from the directory snapshot or from an
//! explicit, reported assumption (`--assume-user-risk`). Never a silent default: without
//! either, the fact stays unknown (evaluation.md §1, §3.9).

use crate::model::{EventFacts, RiskLevel};
use crate::policy::Directory;

/// Explicit assumptions given on the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Assumptions {
    /// User risk for users the directory snapshot gives no `riskLevel` for.
    pub user_risk: Option<RiskLevel>,
}

impl Assumptions {
    /// Lines for the report's notes.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(r) = self.user_risk {
            out.push(format!(
                "assumed: user risk = {} for users without a riskLevel in the directory snapshot \
                 (--assume-user-risk)",
                risk_name(r)
            ));
        }
        out
    }
}

pub fn parse_risk(s: &str) -> Option<RiskLevel> {
    match s.trim().to_ascii_lowercase().as_str() {
        "none" => Some(RiskLevel::None),
        "low" => Some(RiskLevel::Low),
        "medium" => Some(RiskLevel::Medium),
        "high" => Some(RiskLevel::High),
        "hidden" => Some(RiskLevel::Hidden),
        _ => None,
    }
}

fn risk_name(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::None => "none",
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
        RiskLevel::Hidden => "hidden",
    }
}

/// Add directory facts and assumptions to facts read from a log row.
pub fn enrich(mut f: EventFacts, dir: Option<&Directory>, a: &Assumptions) -> EventFacts {
    f.user_risk = enriched_user_risk(&f, dir, a);
    f
}

/// The user risk [`enrich`] gives `f` (the only fact it adds).
pub fn enriched_user_risk(
    f: &EventFacts,
    dir: Option<&Directory>,
    a: &Assumptions,
) -> Option<RiskLevel> {
    if f.user_risk.is_none() && f.user_id.is_some() {
        let from_dir = dir
            .zip(f.user_id.as_deref())
            .and_then(|(d, u)| d.user(u))
            .and_then(|u| u.risk_level.as_deref())
            .and_then(parse_risk);
        from_dir.or(a.user_risk)
    } else {
        f.user_risk
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::directory::{DirUser, DirectoryFile};

    #[test]
    fn directory_wins_then_assumption_then_unknown() {
        let d = Directory::from_file(DirectoryFile {
            users: vec![DirUser {
                id: "u1".into(),
                risk_level: Some("high".into()),
                ..DirUser::default()
            }],
            ..DirectoryFile::default()
        });
        let facts = |u: &str| EventFacts {
            user_id: Some(u.into()),
            ..EventFacts::default()
        };
        let none = Assumptions::default();
        let low = Assumptions {
            user_risk: Some(RiskLevel::Low),
        };
        assert_eq!(
            enrich(facts("u1"), Some(&d), &low).user_risk,
            Some(RiskLevel::High)
        );
        assert_eq!(
            enrich(facts("u2"), Some(&d), &low).user_risk,
            Some(RiskLevel::Low)
        );
        assert_eq!(enrich(facts("u2"), Some(&d), &none).user_risk, None);
        // Service principals (no user id) get no user risk.
        assert_eq!(
            enrich(EventFacts::default(), Some(&d), &low).user_risk,
            None
        );
    }
}
