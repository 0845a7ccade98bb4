//! Replay filters (`--since`, `--until`, `--user`, `--app`, `--policy`): which replayed
//! events the report counts. Applied to each event's row after evaluation and before
//! aggregation, in both the in-memory and the streaming replay; every event left out is
//! counted under the first filter it fails, and the report's headline says how many
//! (README "Filters").

use chrono::{DateTime, NaiveDate, Utc};

use crate::policy::Policy;
use crate::report::{EventRow, FilterSummary};

use super::scenario::{self, ScenarioError, Selector};

/// Filters as given on the command line (`None` / empty = no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterSpec {
    /// Events at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub until: Option<DateTime<Utc>>,
    /// User object ids or UPNs (case-insensitive); any of them.
    pub users: Vec<String>,
    /// Client app ids or display names (case-insensitive); any of them.
    pub apps: Vec<String>,
    /// Policy ids or display names; an event is kept when any of them applies (or may
    /// apply) and is enforced in the baseline or the candidate set.
    pub policies: Vec<String>,
}

/// Why an event was left out: the first filter it fails, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    Time,
    User,
    App,
    Policy,
}

impl Excluded {
    pub const ALL: [Excluded; 4] = [
        Excluded::Time,
        Excluded::User,
        Excluded::App,
        Excluded::Policy,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        match self {
            Excluded::Time => "outside --since/--until",
            Excluded::User => "of other users (--user)",
            Excluded::App => "of other apps (--app)",
            Excluded::Policy => "where no --policy applies",
        }
    }
}

/// Events left out, by [`Excluded`] index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExcludedCounts(pub [u64; 4]);

impl ExcludedCounts {
    pub fn add(&mut self, e: Excluded) {
        self.0[e.index()] += 1;
    }
    pub fn merge(&mut self, o: &ExcludedCounts) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a += b;
        }
    }
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// A [`FilterSpec`] resolved against the tenant's policies.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    spec: FilterSpec,
    users: Vec<String>,
    apps: Vec<String>,
    /// (display name, id) of each policy `--policy` names (id empty when it has none).
    policies: Vec<(String, String)>,
}

impl EventFilter {
    /// Resolve `--policy` against the baseline and candidate policies: a name or id that
    /// matches none is an error (exit 2) with the nearest names, as for `--promote`.
    pub fn new(
        spec: &FilterSpec,
        baseline: &[Policy],
        candidate: &[Policy],
    ) -> Result<EventFilter, ScenarioError> {
        let mut policies: Vec<(String, String)> = Vec::new();
        for key in &spec.policies {
            let sel = Selector::IdOrName(key.trim().to_string());
            let hits: Vec<&Policy> = baseline
                .iter()
                .chain(candidate)
                .filter(|p| sel.matches(p))
                .collect();
            if hits.is_empty() {
                let all: Vec<Policy> = baseline.iter().chain(candidate).cloned().collect();
                return Err(ScenarioError::NoSuchPolicy {
                    flag: "policy",
                    key: key.clone(),
                    nearest: scenario::nearest_names(key, &all),
                });
            }
            for p in hits {
                let pair = (scenario::name_of(p), p.id.clone().unwrap_or_default());
                if !policies.contains(&pair) {
                    policies.push(pair);
                }
            }
        }
        let lower = |v: &[String]| v.iter().map(|s| s.trim().to_lowercase()).collect();
        Ok(EventFilter {
            spec: spec.clone(),
            users: lower(&spec.users),
            apps: lower(&spec.apps),
            policies,
        })
    }

    /// Whether any filter is set.
    pub fn active(&self) -> bool {
        self.spec != FilterSpec::default()
    }

    /// `Ok` when `row` is counted, else the first filter it fails. An event without a
    /// time fails `--since`/`--until` (it cannot be placed in the window).
    pub fn check(&self, row: &EventRow) -> Result<(), Excluded> {
        if self.spec.since.is_some() || self.spec.until.is_some() {
            let t = row
                .created_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            let inside = t.is_some_and(|t| {
                self.spec.since.is_none_or(|s| t >= s) && self.spec.until.is_none_or(|u| t < u)
            });
            if !inside {
                return Err(Excluded::Time);
            }
        }
        let is = |v: &Option<String>, keys: &[String]| {
            v.as_deref()
                .is_some_and(|v| keys.iter().any(|k| v.trim().eq_ignore_ascii_case(k)))
        };
        let user = is(&row.user_id, &self.users) || is(&row.user_principal_name, &self.users);
        if !(self.users.is_empty() || user) {
            return Err(Excluded::User);
        }
        let app = is(&row.app_id, &self.apps) || is(&row.app_display_name, &self.apps);
        if !(self.apps.is_empty() || app) {
            return Err(Excluded::App);
        }
        if !self.policies.is_empty() {
            let applies = |names: &[String], ids: &[String]| {
                names.iter().zip(ids).any(|(n, i)| {
                    self.policies.iter().any(|(pn, pi)| {
                        if pi.is_empty() {
                            i.is_empty() && n == pn
                        } else {
                            i.eq_ignore_ascii_case(pi)
                        }
                    })
                })
            };
            if !applies(
                &row.baseline_policies_applied,
                &row.baseline_policy_ids_applied,
            ) && !applies(
                &row.candidate_policies_applied,
                &row.candidate_policy_ids_applied,
            ) {
                return Err(Excluded::Policy);
            }
        }
        Ok(())
    }

    /// The filters in words, as given (`--since 2026-10-01T00:00:00Z`, `--user a@b`).
    pub fn describe(&self) -> Vec<String> {
        let s = &self.spec;
        let mut out = Vec::new();
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        if let Some(t) = &s.since {
            out.push(format!("--since {}", time(t)));
        }
        if let Some(t) = &s.until {
            out.push(format!("--until {} (exclusive)", time(t)));
        }
        for u in &s.users {
            out.push(format!("--user {u}"));
        }
        for a in &s.apps {
            out.push(format!("--app {a}"));
        }
        for p in &s.policies {
            out.push(format!("--policy {p}"));
        }
        out
    }

    /// What the report says it left out; `None` without filters.
    pub fn summary(&self, left_out: &ExcludedCounts) -> Option<FilterSummary> {
        if !self.active() {
            return None;
        }
        Some(FilterSummary {
            filters: self.describe(),
            events_left_out: left_out.total(),
            left_out_by: Excluded::ALL
                .iter()
                .filter(|e| left_out.0[e.index()] > 0)
                .map(|e| (e.label().to_string(), left_out.0[e.index()]))
                .collect(),
        })
    }
}

/// An age before now: `7d`, `12h`, `30m` (days, hours, minutes; not negative).
pub fn parse_age(s: &str) -> Option<chrono::Duration> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n = n.parse::<i64>().ok()?;
    let d = match unit {
        "d" => chrono::Duration::try_days(n),
        "h" => chrono::Duration::try_hours(n),
        "m" => chrono::Duration::try_minutes(n),
        _ => None,
    }?;
    (d >= chrono::Duration::zero()).then_some(d)
}

/// A time flag (`replay --since/--until`, `fetch --since/--until`): RFC 3339
/// (`2026-10-01T08:00:00Z`, an offset is converted to UTC), a date (`2026-10-01`, midnight
/// UTC starting that day) or an age before `now` (`7d`, `12h`, `30m`). `end_of_day`: a
/// date names the end of that day (for `--until`, so `--until 2026-10-07` keeps the 7th).
pub fn parse_time(s: &str, end_of_day: bool, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    if let Some(age) = parse_age(s) {
        return Ok(now - age);
    }
    Err(format!(
        "`{s}`: expected an RFC 3339 time (2026-10-01T08:00:00Z), a date (2026-10-01) or an \
         age before now (7d, 12h, 30m)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_dates_parse() {
        let now = parse_time("2026-10-10T12:00:00Z", false, Utc::now()).unwrap();
        let t = |s: &str, end: bool| parse_time(s, end, now);
        assert_eq!(
            t("2026-10-01T10:00:00+02:00", false).unwrap(),
            t("2026-10-01T08:00:00Z", false).unwrap()
        );
        assert_eq!(
            t("2026-10-07", true).unwrap(),
            t("2026-10-08T00:00:00Z", false).unwrap()
        );
        assert_eq!(
            t("2026-10-07", false).unwrap(),
            t("2026-10-07T00:00:00Z", false).unwrap()
        );
        assert_eq!(
            t("7d", false).unwrap(),
            t("2026-10-03T12:00:00Z", false).unwrap()
        );
        assert_eq!(
            t("12h", true).unwrap(),
            t("2026-10-10T00:00:00Z", false).unwrap()
        );
        assert!(t("-7d", false).is_err());
        assert!(t("7w", false).is_err());
        assert!(t("2026-13-01", false).is_err());
    }
}
