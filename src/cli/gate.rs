//! `--fail-on METRIC>N` CI gates.

use std::str::FromStr;

use careplay::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A gate metric: events or distinct users newly in an outcome.
pub enum Metric {
    Blocked,
    Challenged,
    Unknown,
    BlockedUsers,
    ChallengedUsers,
    UnknownUsers,
}

impl Metric {
    const NAMES: [(&'static str, Metric); 6] = [
        ("newly-blocked", Metric::Blocked),
        ("newly-challenged", Metric::Challenged),
        ("newly-unknown", Metric::Unknown),
        ("newly-blocked-users", Metric::BlockedUsers),
        ("newly-challenged-users", Metric::ChallengedUsers),
        ("newly-unknown-users", Metric::UnknownUsers),
    ];
    fn name(self) -> &'static str {
        Metric::NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
    fn value(self, r: &Report) -> u64 {
        match self {
            Metric::Blocked => r.newly_blocked(),
            Metric::Challenged => r.newly_challenged(),
            Metric::Unknown => r.newly_unknown(),
            Metric::BlockedUsers => r.newly_blocked_users(),
            Metric::ChallengedUsers => r.newly_challenged_users(),
            Metric::UnknownUsers => r.newly_unknown_users(),
        }
    }
}

/// One gate: the metric must not exceed the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn {
    pub metric: Metric,
    pub limit: u64,
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = || {
            format!(
                "expected METRIC>N with METRIC one of {} (got `{s}`)",
                Metric::NAMES.map(|(n, _)| n).join(", ")
            )
        };
        let (m, n) = s.split_once('>').ok_or_else(expected)?;
        let metric = Metric::NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(m.trim()))
            .map(|(_, m)| *m)
            .ok_or_else(expected)?;
        let limit = n.trim().parse::<u64>().map_err(|_| expected())?;
        Ok(FailOn { metric, limit })
    }
}

pub struct Gate<'a> {
    gates: &'a [FailOn],
}

impl<'a> Gate<'a> {
    pub fn new(gates: &'a [FailOn]) -> Gate<'a> {
        Gate { gates }
    }
    /// Human-readable breaches; empty = pass. A partial answer (inputs skipped by
    /// `--keep-going`) fails every gate: a count over part of the tenant proves nothing.
    pub fn check(&self, r: &Report) -> Vec<String> {
        if r.is_partial() {
            return self
                .gates
                .iter()
                .map(|g| {
                    format!(
                        "{}>{}: the answer is partial ({} policy input(s) skipped by \
                         --keep-going), so the gate cannot pass",
                        g.metric.name(),
                        g.limit,
                        r.skipped_inputs.len()
                    )
                })
                .collect();
        }
        self.gates
            .iter()
            .filter_map(|g| {
                let v = g.metric.value(r);
                (v > g.limit).then(|| format!("{} = {v} > {}", g.metric.name(), g.limit))
            })
            .collect()
    }
}
