//! Baseline vs candidate: the candidate policy set is the baseline with changes applied
//! (`--promote`, `--add`, `--disable`, `--replace`). Pure: works on parsed policies.

use crate::policy::Policy;

/// How to pick existing policies: by id, by display name (case-insensitive), or every
/// report-only policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    AllReportOnly,
    IdOrName(String),
}

impl Selector {
    pub fn parse(s: &str) -> Selector {
        if s.trim().eq_ignore_ascii_case("all-report-only") {
            Selector::AllReportOnly
        } else {
            Selector::IdOrName(s.trim().to_string())
        }
    }

    pub(crate) fn matches(&self, p: &Policy) -> bool {
        match self {
            Selector::AllReportOnly => is_state(p, REPORT_ONLY),
            Selector::IdOrName(key) => {
                p.id.as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(key))
                    || p.display_name
                        .as_deref()
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(key))
            }
        }
    }
}

pub const ENABLED: &str = "enabled";
pub const REPORT_ONLY: &str = "enabledForReportingButNotEnforced";
pub const DISABLED: &str = "disabled";

fn is_state(p: &Policy, state: &str) -> bool {
    p.state
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case(state))
}

/// The requested changes.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub promote: Vec<Selector>,
    pub disable: Vec<Selector>,
    /// New policies (added in state `enabled` unless they say `disabled`; a report-only
    /// new policy is promoted, since the point of `--add` is to see it On).
    pub add: Vec<Policy>,
    /// Replacement policies, matched to existing ones by id.
    pub replace: Vec<Policy>,
}

/// A change that could not be applied (names no policy).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error(
        "--{flag} {key:?}: no policy has this id or display name; nearest names: {}",
        nearest.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
    )]
    NoSuchPolicy {
        flag: &'static str,
        key: String,
        /// The closest display names (substring matches first, then edit distance).
        nearest: Vec<String>,
    },
    #[error("--replace: the replacement policy has no id to match an existing policy")]
    ReplaceWithoutId,
    #[error("--replace: no existing policy has id {0}")]
    ReplaceUnknownId(String),
}

/// One line per applied change, for the report header.
pub type ChangeLog = Vec<String>;

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.promote.is_empty()
            && self.disable.is_empty()
            && self.add.is_empty()
            && self.replace.is_empty()
    }

    /// Apply to the baseline set, giving the candidate set and a log of what changed.
    pub fn apply(&self, baseline: &[Policy]) -> Result<(Vec<Policy>, ChangeLog), ScenarioError> {
        let mut out: Vec<Policy> = baseline.to_vec();
        let mut log = Vec::new();
        for r in &self.replace {
            let id = r.id.as_deref().ok_or(ScenarioError::ReplaceWithoutId)?;
            let slot = out
                .iter_mut()
                .find(|p| p.id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(id)))
                .ok_or_else(|| ScenarioError::ReplaceUnknownId(id.to_string()))?;
            *slot = r.clone();
            log.push(format!("replace: {}", name_of(r)));
        }
        for sel in &self.promote {
            let mut hit = false;
            for p in out.iter_mut().filter(|p| sel.matches(p)) {
                hit = true;
                if !is_state(p, ENABLED) {
                    log.push(format!(
                        "promote: {} ({} -> enabled)",
                        name_of(p),
                        p.state.as_deref().unwrap_or("?")
                    ));
                    p.state = Some(ENABLED.to_string());
                }
            }
            if let (false, Selector::IdOrName(k)) = (hit, sel) {
                return Err(ScenarioError::NoSuchPolicy {
                    flag: "promote",
                    key: k.clone(),
                    nearest: nearest_names(k, &out),
                });
            }
        }
        for sel in &self.disable {
            let mut hit = false;
            for p in out.iter_mut().filter(|p| sel.matches(p)) {
                hit = true;
                log.push(format!("disable: {}", name_of(p)));
                p.state = Some(DISABLED.to_string());
            }
            if let (false, Selector::IdOrName(k)) = (hit, sel) {
                return Err(ScenarioError::NoSuchPolicy {
                    flag: "disable",
                    key: k.clone(),
                    nearest: nearest_names(k, &out),
                });
            }
        }
        for a in &self.add {
            let mut p = a.clone();
            if !is_state(&p, DISABLED) {
                p.state = Some(ENABLED.to_string());
            }
            log.push(format!("add: {}", name_of(&p)));
            out.push(p);
        }
        Ok((out, log))
    }
}

/// How many names a no-match error lists.
const NEAREST: usize = 5;

/// The policy names closest to `key`: names containing it (or contained in it) first,
/// then by edit distance, case-insensitive; ties by name.
pub(crate) fn nearest_names(key: &str, policies: &[Policy]) -> Vec<String> {
    let k = key.trim().to_lowercase();
    let mut scored: Vec<(bool, usize, String)> = policies
        .iter()
        .map(name_of)
        .map(|name| {
            let n = name.to_lowercase();
            let substring = !k.is_empty() && (n.contains(&k) || k.contains(&n));
            (!substring, edit_distance(&k, &n), name)
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(NEAREST)
        .map(|(_, _, n)| n)
        .collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn name_of(p: &Policy) -> String {
    p.display_name
        .clone()
        .or_else(|| p.id.clone())
        .unwrap_or_else(|| "(unnamed policy)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pol(id: &str, name: &str, state: &str) -> Policy {
        Policy {
            id: Some(id.into()),
            display_name: Some(name.into()),
            state: Some(state.into()),
            ..Policy::default()
        }
    }

    #[test]
    fn promote_all_report_only_and_disable_by_name() {
        let base = vec![
            pol("1", "A", ENABLED),
            pol("2", "B", REPORT_ONLY),
            pol("3", "C", REPORT_ONLY),
        ];
        let ch = Changes {
            promote: vec![Selector::parse("all-report-only")],
            disable: vec![Selector::parse("a")],
            ..Changes::default()
        };
        let (cand, log) = ch.apply(&base).unwrap_or_default();
        let states: Vec<_> = cand
            .iter()
            .map(|p| p.state.clone().unwrap_or_default())
            .collect();
        assert_eq!(states, vec![DISABLED, ENABLED, ENABLED]);
        assert_eq!(log.len(), 3);
    }

    #[test]
    fn unknown_selector_is_an_error() {
        let ch = Changes {
            promote: vec![Selector::parse("nope")],
            ..Changes::default()
        };
        assert!(matches!(
            ch.apply(&[pol("1", "A", ENABLED)]),
            Err(ScenarioError::NoSuchPolicy { .. })
        ));
    }

    #[test]
    fn nearest_names_substring_then_distance() {
        let base = vec![
            pol("1", "Block legacy auth", ENABLED),
            pol("2", "Require MFA for admins", ENABLED),
            pol("3", "Require MFA for guests", ENABLED),
        ];
        let n = nearest_names("mfa for admin", &base);
        assert_eq!(n[0], "Require MFA for admins");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
