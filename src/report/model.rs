//! The finished impact report: plain data, serializable, deterministic (no timestamps,
//! every table sorted by count descending then name ascending).

use serde::Serialize;

use super::row::{EventRow, InputSummary, Outcome};

/// Default number of rows per table shown by the text renderers (`--top N`).
pub const DEFAULT_TOP: usize = 20;

/// What the caller knows about the run; the aggregates know only events.
/// No timestamps: a report must be byte-identical for the same input (golden tests).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportMeta {
    pub title: String,
    pub tenant: String,
    /// Human lines such as `promote: Combined Security Info Registration with TAP`.
    pub changes: Vec<String>,
    pub policies: Vec<PolicyInfo>,
    pub input: InputSummary,
    pub notes: Vec<String>,
    /// Inputs skipped by `--keep-going` (`file: JSON path: why`); non-empty = the answer
    /// is partial.
    pub skipped_inputs: Vec<String>,
    /// Optional inputs that were not given and what that leaves Unknown (also in
    /// `notes`); the binary repeats them on stderr.
    pub absent_inputs: Vec<String>,
    /// Replay filters and the events they left out; `None` without filters.
    pub filters: Option<FilterSummary>,
}

/// What the replay filters (`--since`, `--until`, `--user`, `--app`, `--policy`) left out
/// of every number in the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilterSummary {
    /// The filters as given, e.g. `--since 2026-10-01T00:00:00Z`.
    pub filters: Vec<String>,
    /// Replayed events not counted.
    pub events_left_out: u64,
    /// (the first filter an event failed, events), in filter order.
    pub left_out_by: Vec<(String, u64)>,
}

/// One policy and its state in each set (`enabled`, `enabledForReportingButNotEnforced`,
/// `disabled`, `absent`, ...), as given by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub name: String,
    pub baseline_state: String,
    pub candidate_state: String,
}

/// Events and distinct users behind one number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub events: u64,
    pub users: u64,
}

/// How an event's outcome moves from baseline to candidate. The four moving kinds
/// partition the twelve off-diagonal cells of the transition matrix:
/// * newly blocked: candidate blocked, baseline anything else (allowed/challenged/unknown);
/// * newly challenged: baseline allowed, candidate challenged;
/// * newly unknown: candidate unknown, baseline known;
/// * relieved: every other move, i.e. the reverse ones (blocked -> allowed/challenged,
///   challenged -> allowed, unknown -> allowed/challenged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Unchanged,
    NewlyBlocked,
    NewlyChallenged,
    NewlyUnknown,
    Relieved,
}

impl Move {
    pub fn as_str(self) -> &'static str {
        match self {
            Move::Unchanged => "unchanged",
            Move::NewlyBlocked => "newly_blocked",
            Move::NewlyChallenged => "newly_challenged",
            Move::NewlyUnknown => "newly_unknown",
            Move::Relieved => "relieved",
        }
    }

    pub fn of(baseline: Outcome, candidate: Outcome) -> Move {
        use Outcome::*;
        match (baseline, candidate) {
            (b, c) if b == c => Move::Unchanged,
            (_, Blocked) => Move::NewlyBlocked,
            (Allowed, Challenged) => Move::NewlyChallenged,
            (_, Unknown) => Move::NewlyUnknown,
            _ => Move::Relieved,
        }
    }
}

/// Whole-run numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub all: Count,
    /// Events whose candidate outcome differs from the baseline one.
    pub moved: Count,
    pub newly_blocked: Count,
    pub newly_challenged: Count,
    pub newly_unknown: Count,
    pub relieved: Count,
    /// Events whose baseline or candidate outcome is Unknown: the part of the answer the
    /// replay could not decide.
    pub undecided: Count,
    /// Per outcome under the baseline set (order allowed, challenged, blocked, unknown).
    pub baseline: Vec<OutcomeCount>,
    /// Per outcome under the candidate set.
    pub candidate: Vec<OutcomeCount>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub events: u64,
    pub users: u64,
}

/// One cell of the baseline x candidate matrix. All sixteen cells are present, in the
/// order of `Outcome::ALL` (baseline major).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub baseline: Outcome,
    pub candidate: Outcome,
    pub events: u64,
    pub users: u64,
}

/// Moved events grouped by one dimension (user, app, policy, location, client app type).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoveRow {
    /// Display label (UPN, app or policy display name, location, client app type).
    pub name: String,
    /// Stable identifier when the dimension has one (user id, app id).
    pub id: Option<String>,
    /// Moved events.
    pub events: u64,
    /// Distinct users among the moved events.
    pub users: u64,
    pub newly_blocked: u64,
    pub newly_challenged: u64,
    pub newly_unknown: u64,
    pub relieved: u64,
}

/// One thing the candidate set would ask for (a `candidate_demand` member).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemandRow {
    pub demand: String,
    /// All events whose candidate demand lists it.
    pub events: u64,
    pub users: u64,
    /// Of those, events whose outcome moved.
    pub moved_events: u64,
}

/// A frequent explanation among moved events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExplanationRow {
    pub explanation: String,
    pub events: u64,
    pub users: u64,
    /// Smallest request id carrying it (deterministic whatever the merge order).
    pub example_request_id: String,
}

/// Undecided events of one cause: a condition the logs and tenant data could not decide
/// (`userRisk`, `location`, ...), an unknown grant, or an unknown interaction check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CauseRow {
    pub cause: String,
    pub events: u64,
    pub users: u64,
    /// What is missing, in words.
    pub what: String,
    /// One reason the evaluator gave (the smallest text, so deterministic).
    pub example_reason: String,
    /// How to decide these events, when an input can: a flag or a tenant-folder field.
    pub fix: Option<String>,
}

impl CauseRow {
    pub fn new(cause: &str, events: u64, users: u64, example_reason: String) -> CauseRow {
        let (what, fix) = super::undecided::describe(cause);
        CauseRow {
            cause: cause.to_string(),
            events,
            users,
            what: what.to_string(),
            example_reason,
            fix: fix.map(str::to_string),
        }
    }
}

/// The impact report. JSON carries every row; text renderers cap tables at `top` rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub title: String,
    pub tenant: String,
    /// Inputs skipped by `--keep-going`: the answer below leaves them out (every
    /// `--fail-on` gate then fails). Absent from the JSON when nothing was skipped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_inputs: Vec<String>,
    /// Optional inputs not given (already in `notes`): for the binary's stderr.
    #[serde(skip)]
    pub absent_inputs: Vec<String>,
    pub changes: Vec<String>,
    pub policies: Vec<PolicyInfo>,
    pub notes: Vec<String>,
    pub totals: Totals,
    pub transitions: Vec<Transition>,
    /// Moved events per user (name = UPN, else display name; id = user id).
    pub by_user: Vec<MoveRow>,
    /// Moved events per app (name = app display name; id = app id).
    pub by_app: Vec<MoveRow>,
    /// Moved events per policy named in `changed_by`; an event moved by two policies counts
    /// under both, one moved without a named policy counts under `(no policy named)`.
    pub by_policy: Vec<MoveRow>,
    pub by_location: Vec<MoveRow>,
    pub by_client_app_type: Vec<MoveRow>,
    /// Moved events per UTC day of `created_at` (`YYYY-MM-DD`, `(unknown)` without a
    /// time), oldest first.
    pub by_day: Vec<MoveRow>,
    pub demands: Vec<DemandRow>,
    pub explanations: Vec<ExplanationRow>,
    /// Undecided events (`totals.undecided`) by cause, most events first. An event with
    /// several causes counts under each.
    pub undecided_by_cause: Vec<CauseRow>,
    pub input: InputSummary,
    /// This run against a golden (`--compare-to`); absent from the JSON without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<super::compare::Comparison>,
    /// Replay filters and what they left out; absent from the JSON without filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<FilterSummary>,
    /// Rows per table in the text renderers; not part of the data.
    #[serde(skip)]
    pub top: usize,
    /// A bounded selection of event rows for the HTML drill-down, best-ranked first
    /// (`sample::EventSample`: moved events first); empty unless the replay was asked to
    /// keep some. Not part of the JSON report, whose numbers cover every event.
    #[serde(skip)]
    pub events: Vec<EventRow>,
    /// How many rows the replay was asked to keep in `events` (0: none).
    #[serde(skip)]
    pub events_limit: usize,
}

impl Report {
    /// Cap text tables at `n` rows (0 = no cap).
    pub fn with_top(mut self, n: usize) -> Report {
        self.top = n;
        self
    }

    /// Whether inputs were skipped, so the numbers leave part of the tenant out.
    pub fn is_partial(&self) -> bool {
        !self.skipped_inputs.is_empty()
    }

    /// Events newly blocked (candidate blocked, baseline not blocked). CI gate.
    pub fn newly_blocked(&self) -> u64 {
        self.totals.newly_blocked.events
    }
    /// Events newly challenged (baseline allowed, candidate challenged). CI gate.
    pub fn newly_challenged(&self) -> u64 {
        self.totals.newly_challenged.events
    }
    /// Events whose candidate outcome is unknown while the baseline one was known.
    pub fn newly_unknown(&self) -> u64 {
        self.totals.newly_unknown.events
    }
    /// Events that move to a less restrictive outcome.
    pub fn relieved(&self) -> u64 {
        self.totals.relieved.events
    }
    pub fn newly_blocked_users(&self) -> u64 {
        self.totals.newly_blocked.users
    }
    pub fn newly_challenged_users(&self) -> u64 {
        self.totals.newly_challenged.users
    }
    pub fn newly_unknown_users(&self) -> u64 {
        self.totals.newly_unknown.users
    }
    pub fn relieved_users(&self) -> u64 {
        self.totals.relieved.users
    }

    /// Count of one matrix cell.
    pub fn transition(&self, baseline: Outcome, candidate: Outcome) -> Count {
        self.transitions
            .iter()
            .find(|t| t.baseline == baseline && t.candidate == candidate)
            .map(|t| Count {
                events: t.events,
                users: t.users,
            })
            .unwrap_or_default()
    }

    /// The one-line answer every human-facing render leads with.
    pub fn headline(&self) -> String {
        let t = &self.totals;
        format!(
            "{} ({}) would be newly blocked, {} ({}) newly challenged",
            plural(t.newly_blocked.events, "event"),
            plural(t.newly_blocked.users, "user"),
            plural(t.newly_challenged.events, "event"),
            plural(t.newly_challenged.users, "user"),
        )
    }

    /// The line that follows the headline: unknowns and relief.
    pub fn subheadline(&self) -> String {
        let t = &self.totals;
        format!(
            "{} ({}) newly unknown, {} ({}) relieved; {} ({}) replayed, {} moved",
            plural(t.newly_unknown.events, "event"),
            plural(t.newly_unknown.users, "user"),
            plural(t.relieved.events, "event"),
            plural(t.relieved.users, "user"),
            plural(t.all.events, "event"),
            plural(t.all.users, "user"),
            t.moved.events,
        ) + &self.filtered_suffix()
    }

    /// ` (12 events outside --since/--until, 3 of other users (--user) not counted)`
    /// when filters left events out; the numbers before it count only what they kept.
    fn filtered_suffix(&self) -> String {
        match &self.filters {
            Some(f) if f.events_left_out > 0 => format!(
                " ({} not counted)",
                f.left_out_by
                    .iter()
                    .map(|(why, n)| format!("{} {why}", plural(*n, "event")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(f) => format!(" (filters {} left no event out)", f.filters.join(" ")),
            None => String::new(),
        }
    }
}

impl Report {
    /// Events whose baseline or candidate outcome is Unknown.
    pub fn undecided(&self) -> u64 {
        self.totals.undecided.events
    }

    /// The line that says which log rows the numbers leave out, when some could not be
    /// read (the three most frequent reasons; the Input section has them all).
    pub fn rejected_line(&self) -> Option<String> {
        let i = &self.input;
        if i.rows_rejected == 0 {
            return None;
        }
        let reasons: Vec<String> = i
            .rejected_by_reason
            .iter()
            .take(3)
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        Some(format!(
            "{} of {} log rows could not be read and are left out of these numbers ({})",
            i.rows_rejected,
            i.rows_read,
            reasons.join(", ")
        ))
    }

    /// The line that says how much of the answer is undecided, why, and how to decide it
    /// (the two largest causes; the table "Undecided events by cause" has them all).
    /// `None` when every event was decided.
    pub fn undecided_line(&self) -> Option<String> {
        let t = &self.totals;
        if t.undecided.events == 0 {
            return None;
        }
        let mut line = format!(
            "{} of events ({} of {}) could not be decided",
            super::pct::share(t.undecided.events, t.all.events),
            t.undecided.events,
            t.all.events,
        );
        for (k, c) in self.undecided_by_cause.iter().take(2).enumerate() {
            line.push_str(if k == 0 { ": " } else { "; " });
            line.push_str(&format!("{} ({})", c.what, plural(c.events, "event")));
            if let Some(fix) = &c.fix {
                line.push_str(&format!(": {fix}"));
            }
        }
        let more = self.undecided_by_cause.len().saturating_sub(2);
        if more > 0 {
            line.push_str(&format!(
                "; {more} more cause{} under \"Undecided events by cause\"",
                if more == 1 { "" } else { "s" }
            ));
        }
        Some(line)
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
