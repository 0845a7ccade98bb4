//! A bounded, mergeable, deterministic selection of event rows for the HTML report's
//! drill-down: memory stays at `limit` rows however many events are replayed.
//!
//! Events are ranked by how much they matter to a reader, then spread by a fixed hash of
//! the request id (so a sample is not "the lexically first request ids", which cluster by
//! export file), then by request id. The rows kept are the `limit` best-ranked ones; the
//! rank depends only on the row, so the selection is the same whatever the order of pushes
//! and merges (rayon workers, streaming batches).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hash::Hasher;

use super::model::Move;
use super::row::{EventRow, Outcome};

/// Rank classes, best first: the moves, then undecided events that did not move, then
/// the rest. A sample that cannot hold every moved event keeps the newly blocked first.
pub const CLASSES: [&str; 6] = [
    "newly_blocked",
    "newly_challenged",
    "newly_unknown",
    "relieved",
    "unchanged_undecided",
    "unchanged",
];

/// The rank class of an event (an index into [`CLASSES`]).
pub fn class_of(row: &EventRow) -> u8 {
    match Move::of(row.baseline_outcome, row.candidate_outcome) {
        Move::NewlyBlocked => 0,
        Move::NewlyChallenged => 1,
        Move::NewlyUnknown => 2,
        Move::Relieved => 3,
        Move::Unchanged if row.candidate_outcome == Outcome::Unknown => 4,
        Move::Unchanged => 5,
    }
}

/// FxHash of the request id: fixed (no random seed), so the sample is the same on every
/// run of the same input.
fn spread(request_id: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(request_id.as_bytes());
    h.finish()
}

#[derive(Debug, Clone, PartialEq)]
struct Ranked {
    class: u8,
    spread: u64,
    row: EventRow,
}

impl Ranked {
    fn key(&self) -> (u8, u64, &str) {
        (self.class, self.spread, &self.row.request_id)
    }
}

impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// The best-ranked `limit` rows seen (a max-heap: its top is the worst row kept).
#[derive(Debug, Clone, Default)]
pub struct EventSample {
    limit: usize,
    heap: BinaryHeap<Ranked>,
}

impl EventSample {
    /// Keep at most `limit` rows (0: keep none, at no cost per event).
    pub fn new(limit: usize) -> EventSample {
        EventSample {
            limit,
            heap: BinaryHeap::new(),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn push(&mut self, row: &EventRow) {
        if self.limit == 0 {
            return;
        }
        let class = class_of(row);
        let spread = spread(&row.request_id);
        // Most events of a large replay lose against the worst row kept: compare before
        // cloning.
        if self.heap.len() >= self.limit {
            if let Some(worst) = self.heap.peek() {
                if (class, spread, row.request_id.as_str()) >= worst.key() {
                    return;
                }
            }
        }
        self.insert(Ranked {
            class,
            spread,
            row: row.clone(),
        });
    }

    fn insert(&mut self, r: Ranked) {
        self.heap.push(r);
        while self.heap.len() > self.limit {
            self.heap.pop();
        }
    }

    pub fn merge(&mut self, other: EventSample) {
        self.limit = self.limit.max(other.limit);
        for r in other.heap {
            self.insert(r);
        }
    }

    /// The rows kept, best-ranked first.
    pub fn into_rows(self) -> Vec<EventRow> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.row)
            .collect()
    }
}
