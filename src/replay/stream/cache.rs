//! The key cache shared by every thread of a streaming replay: evaluation key -> the
//! key-derived part of the report row ([`Verdict`]), so each distinct key is evaluated once
//! per replay, not once per thread or per batch.
//!
//! * Sharded by key hash (one mutex per shard; a thread evaluates a missing key *outside*
//!   the lock, so two threads may rarely evaluate the same key at once — both results are
//!   equal and the count of evaluations says so).
//! * Verdicts are interned: keys that end with the same outcomes, policies, demand,
//!   explanation and labels share one allocation, so memory is the keys plus a few
//!   thousand distinct verdicts.
//! * A shard that reaches its share of `max_keys` is emptied, and so is the verdict table
//!   at `max_keys` (bounded memory when keys hardly repeat; it only costs
//!   re-evaluations).

use std::hash::BuildHasher;
use std::net::IpAddr;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::model::EventFacts;
use crate::report::{EventRow, Outcome};

use super::key::NetworkClasses;

const SHARDS: usize = 64;

/// The fields of a report row that depend only on the evaluation key (everything but the
/// record's own identity fields; see `fill_from_record` in stream.rs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Verdict {
    pub location: String,
    pub client_app_type: String,
    pub device: crate::report::DeviceCols,
    pub baseline_outcome: Outcome,
    pub candidate_outcome: Outcome,
    pub baseline_policies_applied: Vec<String>,
    pub candidate_policies_applied: Vec<String>,
    pub baseline_policy_ids_applied: Vec<String>,
    pub candidate_policy_ids_applied: Vec<String>,
    pub candidate_demand: String,
    pub changed_by: Vec<String>,
    pub changed_by_ids: Vec<String>,
    pub explanation: String,
    pub unknown_causes: Vec<crate::report::UnknownCause>,
}

impl Verdict {
    pub fn of(row: EventRow) -> Verdict {
        Verdict {
            location: row.location,
            client_app_type: row.client_app_type,
            device: row.device,
            baseline_outcome: row.baseline_outcome,
            candidate_outcome: row.candidate_outcome,
            baseline_policies_applied: row.baseline_policies_applied,
            candidate_policies_applied: row.candidate_policies_applied,
            baseline_policy_ids_applied: row.baseline_policy_ids_applied,
            candidate_policy_ids_applied: row.candidate_policy_ids_applied,
            candidate_demand: row.candidate_demand,
            changed_by: row.changed_by,
            changed_by_ids: row.changed_by_ids,
            explanation: row.explanation,
            unknown_causes: row.unknown_causes,
        }
    }

    /// Copy into `row`, reusing its allocations.
    pub fn write_to(&self, row: &mut EventRow) {
        row.location.clone_from(&self.location);
        row.client_app_type.clone_from(&self.client_app_type);
        row.device = self.device;
        row.baseline_outcome = self.baseline_outcome;
        row.candidate_outcome = self.candidate_outcome;
        row.baseline_policies_applied
            .clone_from(&self.baseline_policies_applied);
        row.candidate_policies_applied
            .clone_from(&self.candidate_policies_applied);
        row.baseline_policy_ids_applied
            .clone_from(&self.baseline_policy_ids_applied);
        row.candidate_policy_ids_applied
            .clone_from(&self.candidate_policy_ids_applied);
        row.candidate_demand.clone_from(&self.candidate_demand);
        row.changed_by.clone_from(&self.changed_by);
        row.changed_by_ids.clone_from(&self.changed_by_ids);
        row.explanation.clone_from(&self.explanation);
        row.unknown_causes.clone_from(&self.unknown_causes);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock means another thread panicked mid-update of a cache; the data is
    // still a valid map (entries are inserted whole) and that panic propagates anyway.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn key_hash(key: &EventFacts) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// One shard: evaluation key -> verdict, found by the key's [`key_hash`], which each entry
/// keeps: growing the table moves entries by their stored hash instead of hashing every key
/// again (re-hashing whole keys on each resize was 3% of a streaming replay's CPU time), and
/// a probe compares the full hash before it compares whole keys.
struct Shard(HashTable<(u64, EventFacts, Arc<Verdict>)>);

impl Shard {
    fn new() -> Shard {
        Shard(HashTable::new())
    }

    fn get(&self, hash: u64, key: &EventFacts) -> Option<&Verdict> {
        self.0
            .find(hash, |(h, k, _)| *h == hash && k == key)
            .map(|(_, _, v)| &**v)
    }

    /// Insert or replace (two threads may evaluate the same key at once; the verdicts
    /// are equal).
    fn insert(&mut self, hash: u64, key: EventFacts, verdict: Arc<Verdict>) {
        match self
            .0
            .entry(hash, |(h, k, _)| *h == hash && *k == key, |(h, _, _)| *h)
        {
            hashbrown::hash_table::Entry::Occupied(mut e) => e.get_mut().2 = verdict,
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert((hash, key, verdict));
            }
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// A thread's copy of the class representatives it has met ([`KeyCache::key`]).
pub type Reps = FxHashMap<u128, IpAddr>;

/// Shared cache of one replay.
pub struct KeyCache {
    /// Only its ranges are used: the class of an IP is computed without a lock.
    networks: NetworkClasses,
    /// Network class -> its representative, the first IP of the class any thread met.
    reps: Mutex<Reps>,
    /// Keys with their Fx hash, so a key is hashed once per event: the shard and the
    /// lookup both use it (a map would hash the key again).
    shards: Vec<Mutex<Shard>>,
    verdicts: Mutex<FxHashSet<Arc<Verdict>>>,
    max_per_shard: usize,
    evaluations: AtomicU64,
}

impl KeyCache {
    pub fn new(networks: NetworkClasses, max_keys: usize) -> KeyCache {
        KeyCache {
            networks,
            reps: Mutex::new(Reps::default()),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::new())).collect(),
            verdicts: Mutex::new(FxHashSet::default()),
            max_per_shard: max_keys.div_ceil(SHARDS).max(1),
            evaluations: AtomicU64::new(0),
        }
    }

    /// Turn `facts` into its evaluation key: its IP replaced by the representative of its
    /// network class, as [`NetworkClasses::key`] does, but with the same representative
    /// for every thread. `memo` is the calling thread's copy of the representatives; the
    /// shared table is locked only for a class new to it (one lock per event, with the
    /// class computed under it, was contended by every thread on every event).
    pub fn key(&self, facts: &mut EventFacts, memo: &mut Reps) {
        if let Some(ip) = facts.ip {
            if let Some(c) = self.networks.class_of(ip) {
                let rep = *memo
                    .entry(c)
                    .or_insert_with(|| *lock(&self.reps).entry(c).or_insert(ip));
                facts.ip = Some(rep);
            }
        }
        // The engine reads the time only through its dated periods (as NetworkClasses::key).
        facts.signed_in_at = facts.signed_in_at.map(crate::engine::baseline_scope_period);
    }

    fn shard(&self, hash: u64) -> &Mutex<Shard> {
        // The table inside a shard takes the hash's low bits for the bucket and its top 7
        // bits as the tag it compares before calling `eq`. Picking the shard from those
        // top bits (as this once did) left one bit of tag entropy within a shard, so a
        // lookup compared whole keys against about half of every probed group: 8% of a
        // replay's CPU time in `EventFacts::eq`. The shard comes from a multiplicative
        // remix of the whole hash instead.
        let h = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        &self.shards[(h >> 58) as usize % SHARDS]
    }

    /// `read` of the verdict of `key`, evaluating it with `eval` when it is not cached.
    /// A cached verdict is read under its shard's lock instead of being handed out as an
    /// `Arc`: the popular verdicts are shared by most keys, and every thread bumping and
    /// dropping their reference counts on every event bounced those counters between
    /// cores.
    /// The key is borrowed and copied only when it is inserted.
    pub fn get_or_eval<T>(
        &self,
        key: &EventFacts,
        eval: impl FnOnce(&EventFacts) -> EventRow,
        read: impl FnOnce(&Verdict) -> T,
    ) -> T {
        let hash = key_hash(key);
        let shard = self.shard(hash);
        if let Some(v) = lock(shard).get(hash, key) {
            return read(v);
        }
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        let verdict = Verdict::of(eval(key));
        let verdict = {
            let mut interned = lock(&self.verdicts);
            if interned.len() >= self.max_per_shard * SHARDS {
                interned.clear();
            }
            match interned.get(&verdict) {
                Some(v) => Arc::clone(v),
                None => {
                    let v = Arc::new(verdict);
                    interned.insert(Arc::clone(&v));
                    v
                }
            }
        };
        let mut map = lock(shard);
        if map.len() >= self.max_per_shard {
            map.clear();
        }
        map.insert(hash, key.clone(), Arc::clone(&verdict));
        drop(map);
        read(&verdict)
    }

    /// Keys evaluated so far.
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// Distinct verdicts so far.
    pub fn verdicts(&self) -> usize {
        lock(&self.verdicts).len()
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyCache, NetworkClasses};
    use crate::model::EventFacts;
    use crate::report::EventRow;
    use std::collections::HashMap;

    fn row_for(key: &EventFacts) -> EventRow {
        EventRow {
            // The verdict names its key, so a lookup that returned another key's entry
            // shows.
            explanation: format!("{:?}/{:?}", key.user_id, key.app_id),
            ..super::super::blank_row()
        }
    }

    /// The shards keep each key's hash and grow by it; a plain map (the slow twin) of
    /// the same keys says which verdict each lookup must return. Enough keys to resize
    /// every shard several times; keys repeat out of insertion order.
    #[test]
    fn cached_verdicts_agree_with_a_plain_map_across_resizes() {
        let cache = KeyCache::new(NetworkClasses::new(&[], &[]), 1 << 20);
        let keys: Vec<EventFacts> = (0..5000)
            .map(|i| EventFacts {
                user_id: Some(format!("user-{}", i % 1700)),
                app_id: Some(format!("app-{}", i % 3)),
                ..EventFacts::default()
            })
            .collect();
        let mut plain: HashMap<&EventFacts, String> = HashMap::new();
        let mut evaluated = 0u64;
        for round in 0..2 {
            for k in keys.iter().rev().skip(round) {
                let got = cache.get_or_eval(
                    k,
                    |k| {
                        evaluated += 1;
                        row_for(k)
                    },
                    |v| v.explanation.clone(),
                );
                let want = plain.entry(k).or_insert_with(|| row_for(k).explanation);
                assert_eq!(&got, want);
            }
        }
        assert_eq!(evaluated, plain.len() as u64, "each key evaluated once");
        assert_eq!(cache.evaluations(), evaluated);
        // (i mod 1700, i mod 3) names i mod 5100: every key is distinct.
        assert_eq!(plain.len(), 5000);
    }
}
