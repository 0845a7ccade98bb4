//! The first-level cache of a streaming replay worker: a 128-bit keyed hash of the record
//! fields the evaluation key is derived from -> the verdict, looked up before any fact is
//! built. An event whose raw fields were seen before by the same worker skips
//! `to_facts`, directory enrichment, the network class and the shared [`KeyCache`] lock.
//!
//! * The hash covers every field `signin::to_facts` reads (the verdict depends only on
//!   the facts: stream.rs, tests/bench_agreement.rs). The unit test below changes each
//!   canonical field of real-shaped records in turn and checks: whenever the facts
//!   change, the raw key changes.
//! * SipHash-1-3 with 128-bit output and a key drawn at random per worker: two different
//!   records share a raw key with probability about 2^-128 per pair, and log content
//!   (user agents, device names) cannot be crafted to collide without the key.
//! * Bounded: emptied when it reaches its capacity (costs only lookups in the shared
//!   cache).
//!
//! [`KeyCache`]: super::KeyCache

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use siphasher::sip128::{Hasher128, SipHasher13};

use crate::signin::SignInRecord;

use super::Verdict;

/// Per-worker raw-field cache.
pub struct RawCache {
    keys: (u64, u64),
    map: FxHashMap<u128, Arc<Verdict>>,
    capacity: usize,
}

impl RawCache {
    pub fn new(capacity: usize) -> RawCache {
        let seed = RandomState::new();
        RawCache {
            keys: (seed.hash_one(0u8), seed.hash_one(1u8)),
            map: FxHashMap::default(),
            capacity: capacity.max(1),
        }
    }

    /// The raw key of `rec`.
    pub fn key(&self, rec: &SignInRecord) -> u128 {
        let mut h = SipHasher13::new_with_keys(self.keys.0, self.keys.1);
        raw_fields(rec, &mut h);
        h.finish128().as_u128()
    }

    pub fn get(&self, key: u128) -> Option<&Arc<Verdict>> {
        self.map.get(&key)
    }

    pub fn insert(&mut self, key: u128, v: Arc<Verdict>) {
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        self.map.insert(key, v);
    }
}

/// Feed every field `signin::to_facts` reads into `h` (each with its length or variant,
/// as `Hash` does, so field boundaries cannot shift).
fn raw_fields(r: &SignInRecord, h: &mut impl Hasher) {
    r.event_type.hash(h);
    r.user_id.hash(h);
    r.user_type.hash(h);
    r.home_tenant_id.hash(h);
    r.resource_tenant_id.hash(h);
    r.cross_tenant_access_type.hash(h);
    r.sp_id.hash(h);
    r.app_id.hash(h);
    r.resource_id.hash(h);
    r.ca_audiences.hash(h);
    r.acr_refs.hash(h);
    r.ip.hash(h);
    r.country.hash(h);
    r.os_raw.hash(h);
    r.user_agent.hash(h);
    r.client_app_raw.hash(h);
    r.device_id.hash(h);
    r.device_display_name.hash(h);
    r.device_is_compliant.hash(h);
    r.device_is_managed.hash(h);
    r.device_trust_type.hash(h);
    r.sign_in_risk.hash(h);
    r.original_transfer_method.hash(h);
    r.auth_methods.hash(h);
    r.mfa_satisfied.hash(h);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signin::{self, schema, LoadOptions};
    use std::path::Path;

    /// Whenever changing one field of a record changes its facts, the raw key changes too
    /// (so a raw-key hit can only return the verdict of equal facts).
    #[test]
    fn raw_key_covers_every_field_the_facts_read() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let logs = signin::load(
            &[
                root.join("datasets/seed-registration/signins"),
                root.join("tests/fixtures/signin/graph_v1_page.json"),
                root.join("tests/fixtures/signin/graph_beta_array.json"),
                root.join("tests/fixtures/signin/la_noninteractive.json"),
                root.join("tests/fixtures/signin/InteractiveSignIns_2025-12-04_2025-12-05.csv"),
            ],
            &LoadOptions::default(),
        )
        .expect("logs");
        assert!(logs.records.len() > 100);
        let cache = RawCache::new(1);
        let mut facts_changed = std::collections::BTreeSet::new();
        for rec in &logs.records {
            let facts = signin::to_facts(rec);
            let key = cache.key(rec);
            assert_eq!(
                key,
                cache.key(&rec.clone()),
                "the key is a function of the record"
            );
            for (field, changed) in schema::perturbations(rec) {
                if signin::to_facts(&changed) != facts {
                    facts_changed.insert(field);
                    assert_ne!(
                        cache.key(&changed),
                        key,
                        "changing `{field}` of {} changes its facts but not its raw key",
                        rec.event_id
                    );
                }
            }
        }
        // The check means something only if many fields did move the facts.
        assert!(facts_changed.len() >= 15, "{facts_changed:?}");
    }
}
