//! Check expectations: resolve selectors against the tenant (before anything is replayed,
//! so a bad selector costs no replay), replay the logs through the one in-memory replay
//! (`replay::Prepared::replay_in_memory`) judging each selected event against the
//! candidate outcome, and evaluate the hypothetical sign-ins against the same candidate.

use std::collections::BTreeMap;

use super::check::{judge, EventFailure, ExpectationResult, TestReport};
use super::load::Loaded;
use super::select::{CompiledSelector, Match};
use super::ExpectError;
use crate::engine::{self, TenantInputs};
use crate::model::EventFacts;
use crate::policy::directory::DirDevice;
use crate::replay::run::{demand, outcome, summary};
use crate::replay::{Prepared, ReplayPlan};
use crate::report::EventRow;
use crate::signin;

/// An expectation with its selector resolved.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub loaded: Loaded,
    pub selector: Option<CompiledSelector>,
}

/// The facts of one hypothetical sign-in (built by the binary's `whatif` code) and the
/// device object its flags describe, if any (`whatif --device-model …`).
#[derive(Debug, Clone)]
pub struct HypotheticalFacts {
    pub label: String,
    /// The user as the entry names it (`user:`), for the results.
    pub user: Option<String>,
    pub facts: EventFacts,
    pub device: Option<DirDevice>,
}

/// Resolve every selector against the prepared tenant; every problem is listed.
pub fn compile(loaded: Vec<Loaded>, prepared: &Prepared) -> Result<Vec<Compiled>, ExpectError> {
    let t = &prepared.tenant;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for l in loaded {
        let selector = match &l.expectation.select {
            None => None,
            Some(sel) => match CompiledSelector::compile(sel, &l, t) {
                Ok(c) => Some(c),
                Err(mut p) => {
                    problems.append(&mut p);
                    None
                }
            },
        };
        out.push(Compiled {
            loaded: l,
            selector,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ExpectError::Invalid(problems))
    }
}

/// What the replay keeps of one event: the expectations it passed, failed (with why) or
/// could not be matched for, and its row when it failed one.
struct Hit {
    passed: Vec<usize>,
    failed: Vec<(usize, String)>,
    undetermined: Vec<(usize, &'static str)>,
    row: Option<EventRow>,
}

/// Replay and check. `hypotheticals[i]` are expectation `i`'s sign-ins. At most
/// `max_events` failing events are listed per expectation (all are counted).
pub fn evaluate(
    prepared: &Prepared,
    plan: &ReplayPlan,
    expectations: &[Compiled],
    hypotheticals: &[Vec<HypotheticalFacts>],
    max_events: usize,
) -> Result<TestReport, ExpectError> {
    let dir = prepared.tenant.directory.as_ref();
    let (report, hits, _) = prepared.replay_in_memory(plan, |rec, row| {
        let mut hit = Hit {
            passed: Vec::new(),
            failed: Vec::new(),
            undetermined: Vec::new(),
            row: None,
        };
        // The log's own facts (user action, IP, country), as the replay reads them.
        let facts = signin::to_facts(rec);
        for (i, c) in expectations.iter().enumerate() {
            let Some(sel) = &c.selector else { continue };
            match sel.matches(&facts, row, dir) {
                Match::No => {}
                Match::Undetermined(why) => hit.undetermined.push((i, why)),
                Match::Yes => {
                    let e = &c.loaded.expectation;
                    match judge(
                        e.expect,
                        &e.for_controls,
                        row.candidate_outcome,
                        &row.candidate_demand,
                    ) {
                        None => hit.passed.push(i),
                        Some(why) => hit.failed.push((i, why)),
                    }
                }
            }
        }
        if !hit.failed.is_empty() {
            hit.row = Some(row.clone());
        }
        let any = !(hit.passed.is_empty() && hit.failed.is_empty() && hit.undetermined.is_empty());
        any.then_some(hit)
    })?;
    let mut results: Vec<ExpectationResult> = expectations
        .iter()
        .map(|c| {
            let e = &c.loaded.expectation;
            ExpectationResult {
                name: e.name.clone(),
                reason: e.reason.clone(),
                origin: c.loaded.origin.to_string(),
                file: c
                    .loaded
                    .origin
                    .file
                    .as_ref()
                    .map(|f| f.display().to_string())
                    .unwrap_or_default(),
                expected: e.expect.as_str(),
                for_controls: e.for_controls.clone(),
                selected: 0,
                hypotheticals: 0,
                failed: 0,
                failures: Vec::new(),
                undetermined: 0,
                undetermined_by_reason: Vec::new(),
                empty: false,
                has_select: c.selector.is_some(),
            }
        })
        .collect();
    let mut undetermined: Vec<BTreeMap<&'static str, u64>> = vec![BTreeMap::new(); results.len()];
    for hit in hits {
        for i in hit.passed {
            if let Some(r) = results.get_mut(i) {
                r.selected += 1;
            }
        }
        for (i, why) in hit.failed {
            let (Some(r), Some(row)) = (results.get_mut(i), hit.row.as_ref()) else {
                continue;
            };
            r.selected += 1;
            r.failed += 1;
            if r.failures.len() < max_events {
                r.failures.push(logged_failure(row, why));
            }
        }
        for (i, why) in hit.undetermined {
            if let Some(m) = undetermined.get_mut(i) {
                *m.entry(why).or_default() += 1;
            }
        }
    }
    for ((r, c), und) in results.iter_mut().zip(expectations).zip(undetermined) {
        let mut by: Vec<(String, u64)> = und.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        r.undetermined = by.iter().map(|(_, n)| n).sum();
        r.undetermined_by_reason = by;
        r.empty = c.selector.is_some() && r.selected == 0 && !c.loaded.expectation.allow_empty;
    }
    for ((r, c), hyps) in results.iter_mut().zip(expectations).zip(hypotheticals) {
        let e = &c.loaded.expectation;
        for h in hyps {
            r.hypotheticals += 1;
            let failure = hypothetical(prepared, plan, h);
            if let Some(why) = judge(e.expect, &e.for_controls, failure.outcome, &failure.why) {
                r.failed += 1;
                if r.failures.len() < max_events {
                    r.failures.push(EventFailure { why, ..failure });
                }
            }
        }
    }
    Ok(TestReport {
        tenant: prepared.tenant.name.clone(),
        changes: if prepared.change_log.is_empty() {
            vec!["no changes: candidate = baseline".to_string()]
        } else {
            prepared.change_log.clone()
        },
        events_replayed: report.totals.all.events,
        results,
        max_events,
    })
}

fn logged_failure(row: &EventRow, why: String) -> EventFailure {
    EventFailure {
        event: row.request_id.clone(),
        hypothetical: false,
        user: row
            .user_principal_name
            .clone()
            .or_else(|| row.user_id.clone()),
        app: row.app_display_name.clone().or_else(|| row.app_id.clone()),
        location: row.location.clone(),
        outcome: row.candidate_outcome,
        why,
        explanation: row.explanation.clone(),
    }
}

/// Evaluate one hypothetical sign-in against the candidate set, with the same directory
/// enrichment a replayed event gets (user risk from the snapshot or `--assume-user-risk`).
/// Returns the event as a failure record whose `why` is the candidate demand (the caller
/// judges it).
fn hypothetical(prepared: &Prepared, plan: &ReplayPlan, h: &HypotheticalFacts) -> EventFailure {
    let t = &prepared.tenant;
    let facts = crate::replay::enrich(h.facts.clone(), t.directory.as_ref(), &plan.assume);
    let own;
    let set = match &h.device {
        None => &prepared.candidate,
        // The engine reads device-object attributes from the directory snapshot only,
        // as `careplay whatif` does: the device joins a copy of it for this sign-in.
        Some(d) => {
            let dir = t
                .directory
                .clone()
                .unwrap_or_default()
                .with_devices(vec![d.clone()]);
            let inputs = TenantInputs {
                directory: Some(&dir),
                ..t.inputs()
            };
            own = engine::compile(&prepared.candidate_policies, &inputs);
            &own
        }
    };
    let res = set.evaluate(&facts);
    EventFailure {
        event: h.label.clone(),
        hypothetical: true,
        user: h.user.clone().or_else(|| facts.user_id.clone()),
        app: facts.resource_id.clone().or_else(|| facts.app_id.clone()),
        location: prepared.labels.label(&facts),
        outcome: outcome(&res.decision),
        why: demand(&res.decision),
        explanation: summary(&res, set),
    }
}
