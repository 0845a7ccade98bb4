//! Mergeable aggregates over replayed events. Memory grows with the number of distinct
//! users, apps, policies, locations, client app types, demands and explanations, never with
//! the number of events: rayon workers `push` into their own `Aggregator` and `merge`.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::model::{
    CauseRow, Count, DemandRow, ExplanationRow, Move, MoveRow, OutcomeCount, Report, ReportMeta,
    Totals, Transition, DEFAULT_TOP,
};
use super::row::{EventRow, InputSummary, Outcome};
use super::sample::EventSample;

/// Label used when a moved event names no policy in `changed_by`.
pub const NO_POLICY_NAMED: &str = "(no policy named)";
const UNKNOWN_LABEL: &str = "(unknown)";

fn outcome_index(o: Outcome) -> usize {
    match o {
        Outcome::Allowed => 0,
        Outcome::Challenged => 1,
        Outcome::Blocked => 2,
        Outcome::Unknown => 3,
    }
}

/// The distinct-user key of an event: user id, else UPN, else the request id (an event
/// with no user identity counts as its own user). Ids and UPNs are case-insensitive in
/// Entra, so they are lower-cased; prefixes keep the three spaces apart.
pub fn user_key(row: &EventRow) -> String {
    let mut key = String::new();
    user_key_into(row, &mut key);
    key
}

/// [`user_key`] written into `out` (cleared first): no allocation per event once `out`
/// has room, where formatting a new key was ~2% of a streamed replay's CPU time.
fn user_key_into(row: &EventRow, out: &mut String) {
    out.clear();
    if let Some(id) = row.user_id.as_deref().filter(|s| !s.is_empty()) {
        out.push_str("id:");
        out.push_str(id);
        out.make_ascii_lowercase();
    } else if let Some(upn) = row.user_principal_name.as_deref().filter(|s| !s.is_empty()) {
        out.push_str("upn:");
        out.push_str(upn);
        out.make_ascii_lowercase();
    } else {
        out.push_str("req:");
        out.push_str(&row.request_id);
    }
}

/// Keep the smaller of two optional labels, `None` last, so the label chosen for a key does
/// not depend on the order rows were pushed or aggregators merged. `b` is copied only when
/// it wins (a moved event offers two labels per dimension, five dimensions an event).
fn min_label(a: &mut Option<String>, b: Option<&str>) {
    match (a.as_deref(), b) {
        (_, None) => {}
        (None, Some(b)) => *a = Some(b.to_owned()),
        (Some(cur), Some(b)) => {
            if b < cur {
                *a = Some(b.to_owned());
            }
        }
    }
}

/// The distinct users one aggregator has met, numbered in the order it met them. The
/// per-cell and per-tally user sets hold these numbers: an event used to hash and compare
/// its user key once per set it joined (up to a dozen), now it does so once, here.
/// Numbers are local to an aggregator; [`Aggregator::merge`] renumbers the other side's.
///
/// A user key `id:<guid>` (a user id in the 36-character hyphenated GUID form, as Entra
/// writes them) is kept as the GUID's 128 bits: hashed and compared inline, where the key
/// string cost a heap read per event (`memcmp` of the stored key, ~1.6% of a streaming
/// replay). Other keys stay strings. Lower-cased hyphenated GUID strings and their values
/// correspond one to one, so both maps number the same users as one map of key strings
/// would (the slow twin: one map of [`user_key`] strings; proptest below).
#[derive(Debug, Default, Clone)]
struct Users {
    guids: HashMap<u128, UserNo>,
    keys: HashMap<String, UserNo>,
}

type UserNo = usize;
type UserSet = HashSet<UserNo>;

/// The value of a user id in the hyphenated GUID form (either case), else `None`. Only
/// that form: other spellings of a GUID (braces, no hyphens) are other key strings.
fn guid_of(id: &str) -> Option<u128> {
    if id.len() != 36 {
        return None;
    }
    // With 36 characters only the hyphenated form parses.
    uuid::Uuid::try_parse(id).ok().map(|u| u.as_u128())
}

impl Users {
    fn len(&self) -> usize {
        self.guids.len() + self.keys.len()
    }

    fn number_guid(&mut self, g: u128) -> UserNo {
        let n = self.len();
        *self.guids.entry(g).or_insert(n)
    }

    fn number_text(&mut self, key: &str) -> UserNo {
        if let Some(&n) = self.keys.get(key) {
            return n;
        }
        let n = self.len();
        self.keys.insert(key.to_owned(), n);
        n
    }

    /// The number of the user of `row`, with `key` its user key when it had to be written
    /// (an id that is not a GUID, a UPN, a request id); `key` is left empty for a GUID id.
    fn number_row(&mut self, row: &EventRow, key: &mut String) -> UserNo {
        key.clear();
        if let Some(g) = row
            .user_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(guid_of)
        {
            return self.number_guid(g);
        }
        user_key_into(row, key);
        self.number_text(key)
    }

    /// For each of `other`'s numbers, this side's number of the same user (added when new).
    fn renumbering(&mut self, other: Users) -> Vec<UserNo> {
        let mut map = vec![0; other.len()];
        for (g, n) in other.guids {
            map[n] = self.number_guid(g);
        }
        for (key, n) in other.keys {
            map[n] = self.number_text(&key);
        }
        map
    }
}

fn renumbered(set: UserSet, map: &[UserNo]) -> impl Iterator<Item = UserNo> + '_ {
    set.into_iter().map(move |n| map[n])
}

#[derive(Debug, Default, Clone)]
struct Cell {
    events: u64,
    users: UserSet,
}

impl Cell {
    fn merge(&mut self, other: Cell, map: &[UserNo]) {
        self.events += other.events;
        self.users.extend(renumbered(other.users, map));
    }
}

/// Moved events for one key of one dimension.
#[derive(Debug, Default, Clone)]
struct Tally {
    name: Option<String>,
    id: Option<String>,
    events: u64,
    users: UserSet,
    by_move: [u64; 4],
}

impl Tally {
    fn add(&mut self, mv: Move, user: UserNo) {
        self.events += 1;
        self.users.insert(user);
        if let Some(i) = move_index(mv) {
            self.by_move[i] += 1;
        }
    }

    fn merge(&mut self, other: Tally, map: &[UserNo]) {
        min_label(&mut self.name, other.name.as_deref());
        min_label(&mut self.id, other.id.as_deref());
        self.events += other.events;
        self.users.extend(renumbered(other.users, map));
        for (a, b) in self.by_move.iter_mut().zip(other.by_move) {
            *a += b;
        }
    }

    fn into_row(self, key: &str) -> MoveRow {
        MoveRow {
            name: self.name.unwrap_or_else(|| key.to_owned()),
            id: self.id,
            events: self.events,
            users: self.users.len() as u64,
            newly_blocked: self.by_move[0],
            newly_challenged: self.by_move[1],
            newly_unknown: self.by_move[2],
            relieved: self.by_move[3],
        }
    }
}

fn move_index(mv: Move) -> Option<usize> {
    match mv {
        Move::Unchanged => None,
        Move::NewlyBlocked => Some(0),
        Move::NewlyChallenged => Some(1),
        Move::NewlyUnknown => Some(2),
        Move::Relieved => Some(3),
    }
}

#[derive(Debug, Default, Clone)]
struct Dimension(HashMap<String, Tally>);

impl Dimension {
    fn add(&mut self, key: &str, name: Option<&str>, id: Option<&str>, mv: Move, user: UserNo) {
        let tally = match self.0.get_mut(key) {
            Some(t) => t,
            None => self.0.entry(key.to_owned()).or_default(),
        };
        min_label(&mut tally.name, name);
        min_label(&mut tally.id, id);
        tally.add(mv, user);
    }

    fn merge(&mut self, other: Dimension, map: &[UserNo]) {
        for (k, t) in other.0 {
            self.0.entry(k).or_default().merge(t, map);
        }
    }

    fn into_rows(self) -> Vec<MoveRow> {
        let mut rows: Vec<(String, MoveRow)> = self
            .0
            .into_iter()
            .map(|(k, t)| {
                let row = t.into_row(&k);
                (k, row)
            })
            .collect();
        rows.sort_by(|(ka, a), (kb, b)| {
            b.events
                .cmp(&a.events)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| ka.cmp(kb))
        });
        rows.into_iter().map(|(_, r)| r).collect()
    }
}

#[derive(Debug, Default, Clone)]
struct DemandTally {
    events: u64,
    users: UserSet,
    moved_events: u64,
}

/// Undecided events of one cause (`UnknownCause::cause`).
#[derive(Debug, Default, Clone)]
struct CauseTally {
    events: u64,
    users: UserSet,
    /// Smallest reason text met for the cause (deterministic whatever the merge order).
    example: String,
}

#[derive(Debug, Default, Clone)]
struct ExplanationTally {
    events: u64,
    users: UserSet,
    example: String,
}

/// Folds `EventRow`s into the numbers of a [`Report`].
#[derive(Debug, Default, Clone)]
pub struct Aggregator {
    /// baseline x candidate, indexed by `outcome_index`.
    matrix: [[Cell; 4]; 4],
    by_user: Dimension,
    by_app: Dimension,
    by_policy: Dimension,
    by_location: Dimension,
    by_client_app_type: Dimension,
    by_day: Dimension,
    demands: HashMap<String, DemandTally>,
    explanations: HashMap<String, ExplanationTally>,
    causes: HashMap<&'static str, CauseTally>,
    users: Users,
    /// The current event's user key (reused buffer).
    user: String,
    /// Event rows kept for the HTML drill-down (none unless asked).
    sample: EventSample,
}

impl Aggregator {
    pub fn new() -> Aggregator {
        Aggregator::default()
    }

    /// An aggregator that also keeps up to `limit` event rows, moved ones first
    /// ([`EventSample`]), for the report's `events`.
    pub fn with_event_sample(limit: usize) -> Aggregator {
        Aggregator {
            sample: EventSample::new(limit),
            ..Aggregator::default()
        }
    }

    /// Number of events pushed so far.
    pub fn events(&self) -> u64 {
        self.matrix.iter().flatten().map(|c| c.events).sum()
    }

    pub fn push(&mut self, row: &EventRow) {
        let mut user = std::mem::take(&mut self.user);
        let n = self.users.number_row(row, &mut user);
        self.push_keyed(row, &mut user, n);
        self.user = user;
        self.sample.push(row);
    }

    /// `key`: the event's user key ([`user_key`]) or empty, written here when a moved
    /// event needs it; `user`: its number.
    fn push_keyed(&mut self, row: &EventRow, key: &mut String, user: UserNo) {
        let b = outcome_index(row.baseline_outcome);
        let c = outcome_index(row.candidate_outcome);
        let cell = &mut self.matrix[b][c];
        cell.events += 1;
        cell.users.insert(user);

        for c in &row.unknown_causes {
            let tally = self.causes.entry(c.cause).or_default();
            tally.events += 1;
            tally.users.insert(user);
            if tally.example.is_empty() || c.reason.as_ref() < tally.example.as_str() {
                tally.example = c.reason.to_string();
            }
        }

        let moved = Move::of(row.baseline_outcome, row.candidate_outcome);
        self.push_demands(row, user, moved != Move::Unchanged);
        if moved == Move::Unchanged {
            return;
        }

        if key.is_empty() {
            user_key_into(row, key);
        }
        let upn = nonempty(&row.user_principal_name).or(nonempty(&row.user_display_name));
        self.by_user
            .add(key, upn, nonempty(&row.user_id), moved, user);

        let app_id = nonempty(&row.app_id);
        let app_name = nonempty(&row.app_display_name);
        let app_key = app_id.or(app_name).unwrap_or(UNKNOWN_LABEL);
        self.by_app.add(app_key, app_name, app_id, moved, user);

        if row.changed_by.iter().all(|p| p.is_empty()) {
            self.by_policy
                .add(NO_POLICY_NAMED, Some(NO_POLICY_NAMED), None, moved, user);
        } else {
            // An event can be moved by several policies; count it once per policy.
            let mut seen: Vec<&str> = Vec::with_capacity(row.changed_by.len());
            for p in row.changed_by.iter().filter(|p| !p.is_empty()) {
                if !seen.contains(&p.as_str()) {
                    seen.push(p);
                    self.by_policy.add(p, Some(p), None, moved, user);
                }
            }
        }

        let location = label_or_unknown(&row.location);
        self.by_location
            .add(location, Some(location), None, moved, user);
        let client = label_or_unknown(&row.client_app_type);
        self.by_client_app_type
            .add(client, Some(client), None, moved, user);
        let day = day_of(row.created_at.as_deref());
        self.by_day.add(day, Some(day), None, moved, user);

        let explanation = label_or_unknown(&row.explanation);
        let tally = match self.explanations.get_mut(explanation) {
            Some(t) => t,
            None => self.explanations.entry(explanation.to_owned()).or_default(),
        };
        tally.events += 1;
        tally.users.insert(user);
        if tally.example.is_empty() || row.request_id < tally.example {
            tally.example.clone_from(&row.request_id);
        }
    }

    fn push_demands(&mut self, row: &EventRow, user: UserNo, moved: bool) {
        let mut seen: Vec<&str> = Vec::new();
        for d in row
            .candidate_demand
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            if seen.contains(&d) {
                continue;
            }
            seen.push(d);
            let tally = match self.demands.get_mut(d) {
                Some(t) => t,
                None => self.demands.entry(d.to_owned()).or_default(),
            };
            tally.events += 1;
            if moved {
                tally.moved_events += 1;
            }
            tally.users.insert(user);
        }
    }

    /// Fold another aggregator (e.g. another rayon worker's) into this one. The result is
    /// the same as if every row had been pushed into one aggregator.
    pub fn merge(&mut self, other: Aggregator) {
        let map = self.users.renumbering(other.users);
        let map = map.as_slice();
        for (row_a, row_b) in self.matrix.iter_mut().zip(other.matrix) {
            for (a, b) in row_a.iter_mut().zip(row_b) {
                a.merge(b, map);
            }
        }
        self.by_user.merge(other.by_user, map);
        self.by_app.merge(other.by_app, map);
        self.by_policy.merge(other.by_policy, map);
        self.by_location.merge(other.by_location, map);
        self.by_client_app_type.merge(other.by_client_app_type, map);
        self.by_day.merge(other.by_day, map);
        self.sample.merge(other.sample);
        for (k, t) in other.demands {
            let mine = self.demands.entry(k).or_default();
            mine.events += t.events;
            mine.moved_events += t.moved_events;
            mine.users.extend(renumbered(t.users, map));
        }
        for (k, t) in other.causes {
            let mine = self.causes.entry(k).or_default();
            mine.events += t.events;
            mine.users.extend(renumbered(t.users, map));
            if mine.example.is_empty() || (!t.example.is_empty() && t.example < mine.example) {
                mine.example = t.example;
            }
        }
        for (k, t) in other.explanations {
            let mine = self.explanations.entry(k).or_default();
            mine.events += t.events;
            mine.users.extend(renumbered(t.users, map));
            if mine.example.is_empty() || (!t.example.is_empty() && t.example < mine.example) {
                mine.example = t.example;
            }
        }
    }

    /// Union of users and sum of events over the matrix cells selected by `pick`.
    fn count_where(&self, pick: impl Fn(Outcome, Outcome) -> bool) -> Count {
        let mut events = 0;
        let mut users: UserSet = HashSet::default();
        for b in Outcome::ALL {
            for c in Outcome::ALL {
                if pick(b, c) {
                    let cell = &self.matrix[outcome_index(b)][outcome_index(c)];
                    events += cell.events;
                    users.extend(cell.users.iter().copied());
                }
            }
        }
        Count {
            events,
            users: users.len() as u64,
        }
    }

    fn totals(&self) -> Totals {
        let of_kind = |kind: Move| self.count_where(|b, c| Move::of(b, c) == kind);
        let per = |baseline_side: bool| {
            Outcome::ALL
                .iter()
                .map(|&o| {
                    let n = self.count_where(|b, c| if baseline_side { b == o } else { c == o });
                    OutcomeCount {
                        outcome: o,
                        events: n.events,
                        users: n.users,
                    }
                })
                .collect()
        };
        Totals {
            all: self.count_where(|_, _| true),
            moved: self.count_where(|b, c| b != c),
            newly_blocked: of_kind(Move::NewlyBlocked),
            newly_challenged: of_kind(Move::NewlyChallenged),
            newly_unknown: of_kind(Move::NewlyUnknown),
            relieved: of_kind(Move::Relieved),
            undecided: self.count_where(|b, c| b == Outcome::Unknown || c == Outcome::Unknown),
            baseline: per(true),
            candidate: per(false),
        }
    }

    pub fn finish(self, meta: ReportMeta) -> Report {
        let totals = self.totals();
        let mut transitions = Vec::with_capacity(16);
        for b in Outcome::ALL {
            for c in Outcome::ALL {
                let cell = &self.matrix[outcome_index(b)][outcome_index(c)];
                transitions.push(Transition {
                    baseline: b,
                    candidate: c,
                    events: cell.events,
                    users: cell.users.len() as u64,
                });
            }
        }

        let mut demands: Vec<DemandRow> = self
            .demands
            .into_iter()
            .map(|(demand, t)| DemandRow {
                demand,
                events: t.events,
                users: t.users.len() as u64,
                moved_events: t.moved_events,
            })
            .collect();
        demands.sort_by(|a, b| {
            b.events
                .cmp(&a.events)
                .then_with(|| a.demand.cmp(&b.demand))
        });

        let mut explanations: Vec<ExplanationRow> = self
            .explanations
            .into_iter()
            .map(|(explanation, t)| ExplanationRow {
                explanation,
                events: t.events,
                users: t.users.len() as u64,
                example_request_id: t.example,
            })
            .collect();
        explanations.sort_by(|a, b| {
            b.events
                .cmp(&a.events)
                .then_with(|| a.explanation.cmp(&b.explanation))
        });

        let mut undecided_by_cause: Vec<CauseRow> = self
            .causes
            .into_iter()
            .map(|(cause, t)| CauseRow::new(cause, t.events, t.users.len() as u64, t.example))
            .collect();
        undecided_by_cause
            .sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.cause.cmp(&b.cause)));

        Report {
            title: meta.title,
            tenant: meta.tenant,
            skipped_inputs: meta.skipped_inputs,
            absent_inputs: meta.absent_inputs,
            changes: meta.changes,
            policies: meta.policies,
            notes: meta.notes,
            totals,
            transitions,
            by_user: self.by_user.into_rows(),
            by_app: self.by_app.into_rows(),
            by_policy: self.by_policy.into_rows(),
            by_location: self.by_location.into_rows(),
            by_client_app_type: self.by_client_app_type.into_rows(),
            by_day: {
                let mut days = self.by_day.into_rows();
                days.sort_by(|a, b| a.name.cmp(&b.name));
                days
            },
            demands,
            explanations,
            undecided_by_cause,
            input: sorted_input(meta.input),
            comparison: None,
            filters: meta.filters,
            top: DEFAULT_TOP,
            events_limit: self.sample.limit(),
            events: self.sample.into_rows(),
        }
    }
}

/// The loader promises rejection reasons most frequent first; make the tie order
/// deterministic too (count desc, then reason asc) so reports stay byte-identical.
fn sorted_input(mut input: InputSummary) -> InputSummary {
    input
        .rejected_by_reason
        .sort_by(|(ra, a), (rb, b)| b.cmp(a).then_with(|| ra.cmp(rb)));
    input
        .unreadable_by_reason
        .sort_by(|(ra, a), (rb, b)| b.cmp(a).then_with(|| ra.cmp(rb)));
    input
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// The UTC day (`YYYY-MM-DD`) of an RFC 3339 UTC time, as the rows write it.
fn day_of(created_at: Option<&str>) -> &str {
    match created_at.and_then(|t| t.get(..10)) {
        Some(d) if d.as_bytes().get(4) == Some(&b'-') => d,
        _ => UNKNOWN_LABEL,
    }
}

fn label_or_unknown(s: &str) -> &str {
    if s.trim().is_empty() {
        UNKNOWN_LABEL
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user_id: Option<&str>, upn: Option<&str>, request_id: &str) -> EventRow {
        EventRow {
            request_id: request_id.into(),
            created_at: None,
            event_type: String::new(),
            user_id: user_id.map(Into::into),
            user_principal_name: upn.map(Into::into),
            user_display_name: None,
            app_id: None,
            app_display_name: None,
            resource_id: None,
            resource_display_name: None,
            ip: None,
            location: String::new(),
            client_app_type: String::new(),
            baseline_outcome: Outcome::Allowed,
            candidate_outcome: Outcome::Allowed,
            baseline_policies_applied: Vec::new(),
            candidate_policies_applied: Vec::new(),
            candidate_demand: String::new(),
            changed_by: Vec::new(),
            explanation: String::new(),
            country: None,
            device_id: None,
            device_os: None,
            device: crate::report::DeviceCols::default(),
            error_code: None,
            baseline_policy_ids_applied: Vec::new(),
            candidate_policy_ids_applied: Vec::new(),
            changed_by_ids: Vec::new(),
            unknown_causes: Vec::new(),
        }
    }

    /// A user id drawn to meet its other spellings: GUIDs in either case, padded, braced,
    /// without hyphens, near-GUIDs, other ids, empty or absent.
    fn some_id() -> impl proptest::strategy::Strategy<Value = Option<String>> {
        use proptest::prelude::*;
        let guids = [
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "00000000-0000-0000-0000-000000000000",
            "a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
        ];
        (0usize..3, 0u8..9).prop_map(move |(g, form)| {
            let g = guids[g];
            match form {
                0 => Some(g.to_string()),
                1 => Some(g.to_ascii_uppercase()),
                2 => Some(format!(" {g}")),
                3 => Some(format!("{{{g}}}")),
                4 => Some(g.replace('-', "")),
                5 => Some(format!("{}g", &g[..35])),
                6 => Some("user-42".to_string()),
                7 => Some(String::new()),
                _ => None,
            }
        })
    }

    proptest::proptest! {
        /// Numbering rows by their id's GUID where it is one gives every row the number a
        /// single map of `user_key` strings gives it (the slow twin), and merging two
        /// aggregators renumbers users as one map would.
        #[test]
        fn guid_numbering_agrees_with_key_strings(
            rows in proptest::collection::vec(
                (some_id(), proptest::option::of(proptest::sample::select(vec!["Ada@X.com", "ada@x.com", "bob@x.com"])), 0u8..4),
                1..40,
            )
        ) {
            let rows: Vec<EventRow> = rows
                .iter()
                .map(|(id, upn, req)| row(id.as_deref(), *upn, &format!("r{req}")))
                .collect();
            let mut users = Users::default();
            let mut plain: HashMap<String, UserNo> = HashMap::default();
            let mut buf = String::new();
            for r in &rows {
                let n = users.number_row(r, &mut buf);
                let len = plain.len();
                let want = *plain.entry(user_key(r)).or_insert(len);
                proptest::prop_assert_eq!(n, want, "{:?}", r.user_id);
                proptest::prop_assert!(buf.is_empty() || buf == user_key(r));
            }
            // Merge: the second half numbered alone, then renumbered into the first half's.
            let half = rows.len() / 2;
            let (mut a, mut b) = (Users::default(), Users::default());
            let na: Vec<UserNo> = rows[..half].iter().map(|r| a.number_row(r, &mut buf)).collect();
            let nb: Vec<UserNo> = rows[half..].iter().map(|r| b.number_row(r, &mut buf)).collect();
            let map = a.renumbering(b);
            let merged: Vec<UserNo> = na.into_iter().chain(nb.into_iter().map(|n| map[n])).collect();
            let mut plain: HashMap<String, UserNo> = HashMap::default();
            let want: Vec<UserNo> = rows
                .iter()
                .map(|r| {
                    let len = plain.len();
                    *plain.entry(user_key(r)).or_insert(len)
                })
                .collect();
            // Same partition of the rows into users (numbers may differ after a merge).
            for i in 0..rows.len() {
                for j in 0..rows.len() {
                    proptest::prop_assert_eq!(merged[i] == merged[j], want[i] == want[j]);
                }
            }
            proptest::prop_assert_eq!(a.len(), plain.len());
        }
    }

    #[test]
    fn user_keys_lower_case_ids_and_upns_and_keep_request_ids() {
        let rows = [
            (row(Some("AB-Cd"), Some("X@Y"), "R1"), "id:ab-cd"),
            (
                row(Some(""), Some("Ada@Contoso.COM"), "R2"),
                "upn:ada@contoso.com",
            ),
            (row(None, Some(""), "Req-3"), "req:Req-3"),
            (row(Some("e"), None, "R4"), "id:e"),
        ];
        // One reused buffer, long keys before short ones: each key is written afresh.
        let mut buf = String::new();
        for (r, want) in &rows {
            user_key_into(r, &mut buf);
            assert_eq!(buf, *want);
            assert_eq!(user_key(r), *want);
        }
    }

    #[test]
    fn moves_partition_the_off_diagonal() {
        let mut kinds: HashMap<Move, usize> = HashMap::default();
        for b in Outcome::ALL {
            for c in Outcome::ALL {
                *kinds.entry(Move::of(b, c)).or_default() += 1;
            }
        }
        assert_eq!(kinds[&Move::Unchanged], 4);
        assert_eq!(kinds[&Move::NewlyBlocked], 3);
        assert_eq!(kinds[&Move::NewlyChallenged], 1);
        assert_eq!(kinds[&Move::NewlyUnknown], 3);
        assert_eq!(kinds[&Move::Relieved], 5);
        assert_eq!(
            Move::of(Outcome::Unknown, Outcome::Challenged),
            Move::Relieved
        );
        assert_eq!(
            Move::of(Outcome::Challenged, Outcome::Blocked),
            Move::NewlyBlocked
        );
    }
}
