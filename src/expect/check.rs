//! Judge one event's outcome against an expectation, and the results of a test run.
//! Unknown is never a pass: an event the replay could not decide fails every expected
//! outcome, with "unknown" and its cause as the reason.

use serde::Serialize;

use super::model::Expected;
use crate::report::Outcome;

/// Why an outcome breaks `expected` (`None`: it holds). `demand` is the candidate's
/// `;`-joined demand (`candidate_demand`): the controls of a challenge, the reasons of a
/// block or of an Unknown.
pub fn judge(
    expected: Expected,
    for_controls: &[String],
    outcome: Outcome,
    demand: &str,
) -> Option<String> {
    if outcome == Outcome::Unknown {
        let why = demand.trim();
        return Some(if why.is_empty() {
            "unknown: the replay could not decide this event".to_string()
        } else {
            format!("unknown: {why}")
        });
    }
    let ok = match expected {
        Expected::Allowed => outcome == Outcome::Allowed,
        Expected::Challenged => outcome == Outcome::Challenged,
        Expected::Blocked => outcome == Outcome::Blocked,
        Expected::NotUnknown => true,
        Expected::NeverBlocked => outcome != Outcome::Blocked,
    };
    if !ok {
        return Some(match outcome {
            Outcome::Challenged if !demand.is_empty() => format!("challenged for {demand}"),
            // A block's demand is its reason ("blocked by policy 'X'", or "block").
            Outcome::Blocked if demand.starts_with("blocked") => demand.to_string(),
            Outcome::Blocked if !demand.is_empty() && demand != "block" => {
                format!("blocked: {demand}")
            }
            o => o.as_str().to_string(),
        });
    }
    let asked: Vec<&str> = demand.split(';').map(str::trim).collect();
    let missing: Vec<&str> = for_controls
        .iter()
        .map(String::as_str)
        .filter(|want| {
            !asked.iter().any(|a| {
                a.eq_ignore_ascii_case(want)
                    || (!want.contains(':')
                        && a.split_once(':')
                            .is_some_and(|(k, _)| k.eq_ignore_ascii_case(want)))
            })
        })
        .collect();
    if missing.is_empty() {
        None
    } else {
        Some(format!(
            "challenged for {demand}, not for {}",
            missing.join(", ")
        ))
    }
}

/// One event (logged or hypothetical) that broke an expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventFailure {
    /// Request id, or the hypothetical sign-in's label.
    pub event: String,
    pub hypothetical: bool,
    pub user: Option<String>,
    pub app: Option<String>,
    pub location: String,
    pub outcome: Outcome,
    pub why: String,
    pub explanation: String,
}

/// The result of one expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectationResult {
    pub name: String,
    pub reason: String,
    /// File + path of the expectation.
    pub origin: String,
    /// The expectations file it is in.
    pub file: String,
    pub expected: &'static str,
    #[serde(rename = "for")]
    pub for_controls: Vec<String>,
    /// Logged events selected.
    pub selected: u64,
    /// Hypothetical sign-ins evaluated.
    pub hypotheticals: u64,
    /// Events (logged and hypothetical) that broke it.
    pub failed: u64,
    /// The first of them, in input order (logged events first).
    pub failures: Vec<EventFailure>,
    /// Events neither selected nor left out: the selector reads a fact they lack.
    pub undetermined: u64,
    /// Why, with counts, most first.
    pub undetermined_by_reason: Vec<(String, u64)>,
    /// `select` matched no logged event and `allow_empty` is not set.
    pub empty: bool,
    pub has_select: bool,
}

impl ExpectationResult {
    pub fn passed(&self) -> bool {
        self.failed == 0 && !self.empty
    }

    /// One line saying why it failed (`None` when it passed).
    pub fn failure_message(&self) -> Option<String> {
        if self.empty {
            return Some(
                "the selector matched no logged event (a regression dataset whose events \
                 vanished must not pass; set allow_empty: true if that is intended)"
                    .to_string(),
            );
        }
        if self.failed == 0 {
            return None;
        }
        let total = self.selected + self.hypotheticals;
        Some(format!(
            "{} of {} event{} broke expect: {}{}",
            self.failed,
            total,
            if total == 1 { "" } else { "s" },
            self.expected,
            if self.for_controls.is_empty() {
                String::new()
            } else {
                format!(" for {}", self.for_controls.join(", "))
            }
        ))
    }

    /// What was checked: "12 logged events, 1 hypothetical sign-in".
    pub fn checked(&self) -> String {
        let mut parts = Vec::new();
        if self.has_select {
            parts.push(format!(
                "{} logged event{}",
                self.selected,
                if self.selected == 1 { "" } else { "s" }
            ));
        }
        if self.hypotheticals > 0 {
            parts.push(format!(
                "{} hypothetical sign-in{}",
                self.hypotheticals,
                if self.hypotheticals == 1 { "" } else { "s" }
            ));
        }
        parts.join(", ")
    }
}

/// Every expectation's result, and what they were checked against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    pub tenant: String,
    /// The candidate's changes (`--promote` …), or "no changes: candidate = baseline".
    pub changes: Vec<String>,
    pub events_replayed: u64,
    pub results: Vec<ExpectationResult>,
    /// How many failures per expectation are listed.
    pub max_events: usize,
}

impl TestReport {
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_never_a_pass() {
        for e in [
            Expected::Allowed,
            Expected::Challenged,
            Expected::Blocked,
            Expected::NotUnknown,
            Expected::NeverBlocked,
        ] {
            let why = judge(e, &[], Outcome::Unknown, "group membership unknown");
            assert_eq!(why.as_deref(), Some("unknown: group membership unknown"));
        }
    }

    #[test]
    fn challenged_for_named_controls() {
        let d = "authenticationStrength:Multifactor authentication";
        let want = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            judge(
                Expected::Challenged,
                &want(&["authenticationStrength"]),
                Outcome::Challenged,
                d
            ),
            None
        );
        assert_eq!(
            judge(
                Expected::Challenged,
                &want(&["authenticationStrength:multifactor authentication"]),
                Outcome::Challenged,
                d
            ),
            None
        );
        assert!(judge(
            Expected::Challenged,
            &want(&["mfa"]),
            Outcome::Challenged,
            d
        )
        .is_some());
        assert_eq!(
            judge(Expected::NeverBlocked, &[], Outcome::Challenged, "mfa"),
            None
        );
        assert_eq!(
            judge(Expected::NeverBlocked, &[], Outcome::Blocked, "block").as_deref(),
            Some("blocked")
        );
    }
}
