//! Evaluate every event under the baseline and the candidate policy sets, in parallel
//! (rayon over chunks), and turn each into a report row.
//!
//! Events that share the same facts (non-interactive refreshes of one user/app/device/IP)
//! are evaluated once per chunk and the result reused: `Dedup::On`. `Dedup::Off` is the
//! slow twin kept for the agreement test. (`run_replay` and the streaming replay evaluate
//! through one key cache for the whole replay instead: `stream::KeyedReplayer`, whose rows
//! equal `replay_chunk`'s.)

use std::collections::HashMap;

use rayon::prelude::*;

use crate::engine::undecided::unknown_causes;
use crate::engine::{CompiledSet, Control, Decision, EventResult, SetPair};
use crate::model::EventFacts;
use crate::report::{DeviceCols, EventRow, Outcome};
use crate::signin::facts::to_facts;
use crate::signin::SignInRecord;

use super::labels::LocationLabeler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedup {
    On,
    Off,
}

/// The two compiled sets and what is needed to label rows.
pub struct Replayer<'a> {
    pub baseline: &'a CompiledSet,
    pub candidate: &'a CompiledSet,
    pub labels: &'a LocationLabeler,
    /// Directory facts the logs lack (user risk), and explicit assumptions.
    pub directory: Option<&'a crate::policy::Directory>,
    pub assume: &'a super::Assumptions,
    /// Baseline and candidate evaluated together (shared applicability).
    pair: SetPair<'a>,
}

impl<'a> Replayer<'a> {
    pub fn new(
        baseline: &'a CompiledSet,
        candidate: &'a CompiledSet,
        labels: &'a LocationLabeler,
        directory: Option<&'a crate::policy::Directory>,
        assume: &'a super::Assumptions,
    ) -> Replayer<'a> {
        Replayer {
            baseline,
            candidate,
            labels,
            directory,
            assume,
            pair: SetPair::new(baseline, candidate),
        }
    }

    /// Baseline and candidate results of one event, sharing the applicability of every
    /// policy whose conditions the change left alone ([`SetPair`]); `Dedup::Off` evaluates
    /// each set separately (the slow twin; tests/bench_agreement.rs compares reports).
    pub fn evaluate(&self, facts: &EventFacts) -> (EventResult, EventResult) {
        self.pair.evaluate(facts)
    }
}

/// Counters of one replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayStats {
    pub events: u64,
    /// Distinct evaluation keys actually evaluated (per chunk).
    pub evaluations: u64,
}

impl ReplayStats {
    fn merge(self, o: ReplayStats) -> ReplayStats {
        ReplayStats {
            events: self.events + o.events,
            evaluations: self.evaluations + o.evaluations,
        }
    }
}

impl<'a> Replayer<'a> {
    /// Replay records in parallel; `sink` receives the rows of each chunk in input order of
    /// chunks is not guaranteed, rows inside a chunk are in input order.
    pub fn replay<F>(&self, records: &[SignInRecord], dedup: Dedup, fold: F) -> ReplayStats
    where
        F: Fn(&[EventRow]) + Sync,
    {
        records
            .par_chunks(2048)
            .map(|chunk| {
                let (rows, stats) = self.replay_chunk(chunk, dedup);
                fold(&rows);
                stats
            })
            .reduce(ReplayStats::default, ReplayStats::merge)
    }

    /// Replay one chunk sequentially.
    pub fn replay_chunk(
        &self,
        chunk: &[SignInRecord],
        dedup: Dedup,
    ) -> (Vec<EventRow>, ReplayStats) {
        let mut cache: HashMap<EventFacts, (EventResult, EventResult)> = HashMap::new();
        let mut stats = ReplayStats::default();
        let mut rows = Vec::with_capacity(chunk.len());
        for rec in chunk {
            stats.events += 1;
            let facts = super::enrich(to_facts(rec), self.directory, self.assume);
            let row = match dedup {
                Dedup::On => {
                    if !cache.contains_key(&facts) {
                        stats.evaluations += 1;
                        let pair = self.evaluate(&facts);
                        cache.insert(facts.clone(), pair);
                    }
                    match cache.get(&facts) {
                        Some((b, c)) => self.row(rec, &facts, b, c),
                        None => continue,
                    }
                }
                Dedup::Off => {
                    stats.evaluations += 1;
                    let b = self.baseline.evaluate(&facts);
                    let c = self.candidate.evaluate(&facts);
                    self.row(rec, &facts, &b, &c)
                }
            };
            rows.push(row);
        }
        (rows, stats)
    }

    /// The report row of one event given its two results (what `replay_chunk` emits);
    /// used by the streaming replay (stream.rs) to build a per-key row template.
    pub fn event_row(
        &self,
        rec: &SignInRecord,
        facts: &EventFacts,
        base: &EventResult,
        cand: &EventResult,
    ) -> EventRow {
        self.row(rec, facts, base, cand)
    }

    fn row(
        &self,
        rec: &SignInRecord,
        facts: &EventFacts,
        base: &EventResult,
        cand: &EventResult,
    ) -> EventRow {
        let baseline_outcome = outcome(&base.decision);
        let candidate_outcome = outcome(&cand.decision);
        // Compared by index into each set's policies: a name can be shared by two policies
        // and an id by a policy and its replacement; (name, id) pairs tell them apart.
        let base_pols = decision_policies(self.baseline, &base.decision);
        let cand_pols = decision_policies(self.candidate, &cand.decision);
        let changed: Vec<(String, String)> = if baseline_outcome == candidate_outcome {
            Vec::new()
        } else {
            let added: Vec<(String, String)> = cand_pols
                .iter()
                .filter(|p| !base_pols.contains(p))
                .cloned()
                .collect();
            if added.is_empty() {
                base_pols
                    .iter()
                    .filter(|p| !cand_pols.contains(p))
                    .cloned()
                    .collect()
            } else {
                added
            }
        };
        let (changed_by, changed_by_ids) = changed.into_iter().unzip();
        let (baseline_policies_applied, baseline_policy_ids_applied) =
            applied_enforced(self.baseline, base);
        let (candidate_policies_applied, candidate_policy_ids_applied) =
            applied_enforced(self.candidate, cand);
        EventRow {
            request_id: rec.event_id.clone(),
            created_at: rec
                .created_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            event_type: rec.event_type.as_str().to_string(),
            user_id: rec.user_id.clone(),
            user_principal_name: rec.user_upn.clone(),
            user_display_name: rec.user_display_name.clone(),
            app_id: rec.app_id.clone(),
            app_display_name: rec.app_display_name.clone(),
            resource_id: rec.resource_id.clone(),
            resource_display_name: rec.resource_display_name.clone(),
            ip: rec.ip.clone(),
            country: rec.country.clone(),
            location: self.labels.label(facts),
            client_app_type: client_label(facts),
            // As `signin::facts` reads it: a blank id is no device.
            device_id: rec.device_id.clone().filter(|d| !d.trim().is_empty()),
            device_os: rec.os_raw.clone(),
            device: DeviceCols::of(crate::engine::device_view(facts, self.directory)),
            error_code: rec.error_code,
            baseline_outcome,
            candidate_outcome,
            baseline_policies_applied,
            candidate_policies_applied,
            baseline_policy_ids_applied,
            candidate_policy_ids_applied,
            candidate_demand: demand(&cand.decision),
            changed_by,
            changed_by_ids,
            explanation: summary(cand, self.candidate),
            unknown_causes: {
                let mut causes = Vec::new();
                unknown_causes(base, &mut causes);
                unknown_causes(cand, &mut causes);
                causes
            },
        }
    }
}

/// Event outcome vocabulary of the report.
pub fn outcome(d: &Decision) -> Outcome {
    match d {
        Decision::Allowed => Outcome::Allowed,
        Decision::Challenged { .. } => Outcome::Challenged,
        Decision::Blocked { .. } => Outcome::Blocked,
        Decision::Unknown { .. } => Outcome::Unknown,
    }
}

/// (name, id) of the policies that decided `d`.
fn decision_policies(set: &CompiledSet, d: &Decision) -> Vec<(String, String)> {
    let idx: &[usize] = match d {
        Decision::Allowed => &[],
        Decision::Challenged { policies, .. }
        | Decision::Blocked { policies, .. }
        | Decision::Unknown { policies, .. } => policies,
    };
    idx.iter()
        .filter_map(|i| set.policies().get(*i))
        .map(|p| (p.name().to_string(), p.id().to_string()))
        .collect()
}

/// Names and ids (index-aligned) of the enforced policies that applied or may apply.
fn applied_enforced(set: &CompiledSet, r: &EventResult) -> (Vec<String>, Vec<String>) {
    use crate::engine::{Applicability, PolicyState};
    r.policies
        .iter()
        .filter(|pr| !matches!(pr.applicability, Applicability::NotApplied { .. }))
        .filter_map(|pr| set.policies().get(pr.index))
        .filter(|p| p.state() == PolicyState::Enabled)
        .map(|p| (p.name().to_string(), p.id().to_string()))
        .unzip()
}

/// What the candidate set would ask of the user, `;`-joined.
pub fn demand(d: &Decision) -> String {
    match d {
        Decision::Allowed => String::new(),
        Decision::Challenged { controls, .. } => join_controls(controls),
        Decision::Blocked { reasons, .. } => {
            if reasons.is_empty() {
                "block".to_string()
            } else {
                reasons.join("; ")
            }
        }
        Decision::Unknown { reasons, .. } => reasons.join("; "),
    }
}

fn join_controls(c: &[Control]) -> String {
    c.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(";")
}

fn client_label(f: &EventFacts) -> String {
    use crate::model::ClientAppType::*;
    match f.client_app {
        Some(Browser) => "browser",
        Some(MobileAppsAndDesktopClients) => "mobileAppsAndDesktopClients",
        Some(ExchangeActiveSync) => "exchangeActiveSync",
        Some(Other) => "other",
        None => "unknown",
    }
    .to_string()
}

/// Short explanation for reports: the decision and the enforced policies that applied or
/// may apply, with their evidence (the full per-policy account is `EventResult::explain`,
/// shown by `careplay whatif`). Written into one string: every evaluated key writes one.
pub fn summary(r: &EventResult, set: &CompiledSet) -> String {
    use crate::engine::{Applicability, PolicyState};
    // The first sentence of the full explanation (`EventResult::explain`), which opens
    // with the headline and continues with " Applied: …" groups: cutting the headline at
    // its first ". " gives the same text without building the groups.
    let mut out = r.headline(set);
    if let Some(i) = out.find(". ") {
        out.truncate(i + 1);
    }
    for pr in &r.policies {
        let Some(p) = set.policies().get(pr.index) else {
            continue;
        };
        if p.state() != PolicyState::Enabled {
            continue;
        }
        match pr.applicability {
            Applicability::Applies | Applicability::Unknown { .. } => {
                out.push_str(" '");
                out.push_str(p.name());
                out.push_str("' ");
                let start = out.len();
                crate::engine::write_policy(&mut out, p, &pr.applicability, pr.grant.as_ref());
                // The explanation's own closing dots give way to the sentence's one.
                while out.len() > start && out.ends_with('.') {
                    out.pop();
                }
                out.push('.');
            }
            Applicability::NotApplied { .. } => {}
        }
    }
    out
}

/// The slow twin of [`summary`]: each part formatted on its own, then joined.
#[cfg(test)]
pub fn summary_slow(r: &EventResult, set: &CompiledSet) -> String {
    use crate::engine::{Applicability, PolicyState};
    let line = r.headline(set);
    let head = match line.find(". ") {
        Some(i) => line[..=i].to_string(),
        None => line,
    };
    let mut parts = vec![head];
    for pr in &r.policies {
        let Some(p) = set.policies().get(pr.index) else {
            continue;
        };
        if p.state() != PolicyState::Enabled {
            continue;
        }
        match pr.applicability {
            Applicability::Applies | Applicability::Unknown { .. } => parts.push(format!(
                "'{}' {}.",
                p.name(),
                crate::engine::explain_policy_slow(p, &pr.applicability, pr.grant.as_ref())
                    .trim_end_matches('.')
            )),
            Applicability::NotApplied { .. } => {}
        }
    }
    parts.join(" ")
}
