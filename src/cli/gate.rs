//! `--fail-on METRIC>N` CI gates.

use std::str::FromStr;

use careplay::report::{pct, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A gate metric: events or distinct users newly in an outcome, undecided events, or
/// rejected log rows.
pub enum Metric {
    Blocked,
    Challenged,
    Unknown,
    BlockedUsers,
    ChallengedUsers,
    UnknownUsers,
    /// Events whose baseline or candidate outcome is Unknown (`totals.undecided`).
    Undecided,
    /// Log rows that could not be read (`input.rows_rejected`).
    Rejected,
    /// Events that differ from the `--compare-to` golden (outcome or deciding policies
    /// changed, or on one side only).
    Changed,
}

/// What a metric is compared with: a count, or a percentage of its whole (replayed events
/// for `unknown-rate`, rows read for `rejected-rate`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    Count(u64),
    Percent(f64),
}

impl Metric {
    /// Count metrics, and the two that also take a rate (`NAME-rate>P%`).
    const NAMES: [(&'static str, Metric); 9] = [
        ("newly-blocked", Metric::Blocked),
        ("newly-challenged", Metric::Challenged),
        ("newly-unknown", Metric::Unknown),
        ("newly-blocked-users", Metric::BlockedUsers),
        ("newly-challenged-users", Metric::ChallengedUsers),
        ("newly-unknown-users", Metric::UnknownUsers),
        ("unknown", Metric::Undecided),
        ("rejected", Metric::Rejected),
        ("changed", Metric::Changed),
    ];
    fn name(self) -> &'static str {
        Metric::NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
    fn has_rate(self) -> bool {
        matches!(self, Metric::Undecided | Metric::Rejected | Metric::Changed)
    }
    /// The metric's count, and the whole a rate is taken of.
    fn value(self, r: &Report) -> (u64, u64) {
        let events = r.totals.all.events;
        match self {
            Metric::Blocked => (r.newly_blocked(), events),
            Metric::Challenged => (r.newly_challenged(), events),
            Metric::Unknown => (r.newly_unknown(), events),
            Metric::BlockedUsers => (r.newly_blocked_users(), r.totals.all.users),
            Metric::ChallengedUsers => (r.newly_challenged_users(), r.totals.all.users),
            Metric::UnknownUsers => (r.newly_unknown_users(), r.totals.all.users),
            Metric::Undecided => (r.undecided(), events),
            Metric::Rejected => (r.input.rows_rejected, r.input.rows_read),
            // Without a golden there is nothing to count; `replay` refuses the gate then.
            Metric::Changed => r
                .comparison
                .as_ref()
                .map_or((0, 0), |c| (c.changed, c.union())),
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Count(n) => write!(f, "{n}"),
            Limit::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// A gate as written on the command line (`unknown-rate>5%`).
impl std::fmt::Display for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rate = if matches!(self.limit, Limit::Percent(_)) {
            "-rate"
        } else {
            ""
        };
        write!(f, "{}{rate}>{}", self.metric.name(), self.limit)
    }
}

/// One gate: the metric must not exceed the limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailOn {
    pub metric: Metric,
    pub limit: Limit,
}

impl FailOn {
    /// Whether the gate counts differences from a `--compare-to` golden.
    pub fn needs_golden(&self) -> bool {
        self.metric == Metric::Changed
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = || {
            let names: Vec<&str> = Metric::NAMES.iter().map(|(n, _)| *n).collect();
            format!(
                "expected METRIC>N with METRIC one of {}, or unknown-rate>P% / rejected-rate>P% / changed-rate>P% \
                 (got `{s}`; quote the whole gate in a shell: --fail-on 'newly-blocked>0')",
                names.join(", ")
            )
        };
        let (m, n) = s.split_once('>').ok_or_else(expected)?;
        let m = m.trim();
        let (m, rate) = match m.strip_suffix("-rate") {
            Some(base) => (base, true),
            None => (m, false),
        };
        let metric = Metric::NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(m))
            .map(|(_, m)| *m)
            .ok_or_else(expected)?;
        let n = n.trim();
        let limit = if rate {
            if !metric.has_rate() {
                return Err(expected());
            }
            let p = n.strip_suffix('%').unwrap_or(n).trim();
            let p: f64 = p.parse().map_err(|_| expected())?;
            if !(0.0..=100.0).contains(&p) {
                return Err(format!("`{s}`: a rate is a percentage from 0 to 100"));
            }
            Limit::Percent(p)
        } else {
            Limit::Count(n.parse::<u64>().map_err(|_| expected())?)
        };
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
                        "{g}: the answer is partial ({} policy input(s) skipped by \
                         --keep-going), so the gate cannot pass",
                        r.skipped_inputs.len()
                    )
                })
                .collect();
        }
        self.gates
            .iter()
            .filter_map(|g| {
                let (v, whole) = g.metric.value(r);
                match g.limit {
                    Limit::Count(limit) => {
                        (v > limit).then(|| format!("{} = {v} > {limit}", g.metric.name()))
                    }
                    Limit::Percent(p) => {
                        // Compared exactly (v/whole > p/100), printed so that rounding never
                        // shows a breach as equal to its limit.
                        let rate = if whole == 0 {
                            0.0
                        } else {
                            100.0 * v as f64 / whole as f64
                        };
                        (v as f64 * 100.0 > p * whole as f64).then(|| {
                            format!(
                                "{}-rate = {} ({v} of {whole}) > {p}%",
                                g.metric.name(),
                                pct::versus(rate, p)
                            )
                        })
                    }
                }
            })
            .collect()
    }
}
