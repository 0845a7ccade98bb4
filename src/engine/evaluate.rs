//! Per-event evaluation (evaluation.md §10 reference procedure): applicability of every
//! policy, then grants (with the registration strength-precedence rule of §4.4), then
//! the decision over enabled policies.

use super::compile::{CompiledPolicy, CompiledSet};
use super::context::Ctx;
use super::decision;
use super::grant::{self, GrantOpts};
use super::result::{Applicability, ConditionName, EventResult, Notes, PolicyResult, PolicyState};
use super::session;
use crate::model::{EventFacts, UserAction};

impl CompiledSet {
    /// Evaluate one event. Pure: no I/O, no clock.
    pub fn evaluate(&self, facts: &EventFacts) -> EventResult {
        let ctx = Ctx::new(facts, self.directory.as_deref())
            .with_cross_tenant(self.cross_tenant.as_deref());
        let applicability: Vec<Applicability> = self
            .policies
            .iter()
            .map(|p| applicability(p, || p.conditions.evaluate(&ctx)))
            .collect();
        self.decide_with(facts, &ctx, applicability)
    }

    /// Grants and decision, given every policy's applicability.
    fn decide_with(
        &self,
        facts: &EventFacts,
        ctx: &Ctx,
        applicability: Vec<Applicability>,
    ) -> EventResult {
        // §4.4: on a security-info registration, a strength demanded by an applying
        // user-action policy is preferred over strengths of `All`-resources policies.
        let registration = facts.user_action == Some(Some(UserAction::RegisterSecurityInfo));
        let source = |states: &[PolicyState]| {
            registration
                && self.policies.iter().zip(&applicability).any(|(p, a)| {
                    states.contains(&p.state())
                        && *a == Applicability::Applies
                        && p.conditions.targets_user_action()
                        && p.demand.has_strength()
                })
        };
        let source_enabled = source(&[PolicyState::Enabled]);
        let source_any = source(&[PolicyState::Enabled, PolicyState::ReportOnly]);

        let policies = self
            .policies
            .iter()
            .zip(applicability)
            .enumerate()
            .map(|(index, (p, applicability))| {
                let superseded = p.conditions.targets_all_resources()
                    && !p.conditions.targets_user_action()
                    && p.demand.has_strength()
                    && match p.state() {
                        PolicyState::Enabled => source_enabled,
                        _ => source_any,
                    };
                policy_result(index, p, applicability, ctx, superseded)
            })
            .collect::<Vec<_>>();
        let decision = decision::decide(self, &policies, ctx);
        EventResult { policies, decision }
    }
}

/// A policy's applicability: disabled policies never apply; otherwise its conditions.
fn applicability(p: &CompiledPolicy, conditions: impl FnOnce() -> Applicability) -> Applicability {
    match p.state() {
        PolicyState::Disabled => Applicability::NotApplied {
            condition: ConditionName::PolicyNotEnabled,
            reason: "policy is disabled (notEnabled)".into(),
        },
        _ => conditions(),
    }
}

/// Two policy sets evaluated together, as a replay does with its baseline and candidate.
///
/// Applicability depends only on a policy's compiled conditions, the event and the
/// directory snapshot (evaluation.md §0 step 4: state aside, which decides only whether
/// a policy is considered). So when both sets hold the same directory snapshot, a policy
/// of the second set whose compiled conditions equal those of a policy of the first (a
/// report-only policy promoted, any policy the change left alone) takes that policy's
/// applicability instead of evaluating its conditions again. Grants and decisions are
/// computed per set, as ever. `CompiledSet::evaluate` on each set is the slow twin; the
/// unit test below checks both give the same results.
pub struct SetPair<'s> {
    first: &'s CompiledSet,
    second: &'s CompiledSet,
    /// Per policy of `second`: the index of a policy of `first` with equal conditions.
    twin: Vec<Option<usize>>,
    same_directory: bool,
}

impl<'s> SetPair<'s> {
    pub fn new(first: &'s CompiledSet, second: &'s CompiledSet) -> SetPair<'s> {
        let same_directory = match (&first.directory, &second.directory) {
            (None, None) => true,
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b) || **a == **b,
            _ => false,
        } && match (&first.cross_tenant, &second.cross_tenant) {
            // One context serves both sets only when it reads the same trust settings.
            (None, None) => true,
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b) || **a == **b,
            _ => false,
        };
        let twin = second
            .policies
            .iter()
            .map(|q| {
                if !same_directory {
                    return None;
                }
                first
                    .policies
                    .iter()
                    .position(|p| p.conditions == q.conditions)
            })
            .collect();
        SetPair {
            first,
            second,
            twin,
            same_directory,
        }
    }

    /// Policies of the second set that reuse an applicability of the first.
    pub fn shared(&self) -> usize {
        self.twin.iter().flatten().count()
    }

    /// `(first.evaluate(facts), second.evaluate(facts))`, sharing applicability.
    pub fn evaluate(&self, facts: &EventFacts) -> (EventResult, EventResult) {
        let ctx = Ctx::new(facts, self.first.directory.as_deref())
            .with_cross_tenant(self.first.cross_tenant.as_deref());
        // With the same snapshot one context (and its memoised user lookups) serves both.
        let own = (!self.same_directory).then(|| {
            Ctx::new(facts, self.second.directory.as_deref())
                .with_cross_tenant(self.second.cross_tenant.as_deref())
        });
        let ctx2 = own.as_ref().unwrap_or(&ctx);
        // Condition results of the first set's policies, computed at most once each: the
        // second set's twins copy them, then the first set's own policies take them.
        let mut conds: Vec<Option<Applicability>> = vec![None; self.first.policies.len()];
        let a2: Vec<Applicability> = self
            .second
            .policies
            .iter()
            .zip(&self.twin)
            .map(|(q, twin)| {
                applicability(q, || match twin {
                    Some(i) => conds[*i]
                        .get_or_insert_with(|| self.first.policies[*i].conditions.evaluate(&ctx))
                        .clone(),
                    None => q.conditions.evaluate(ctx2),
                })
            })
            .collect();
        let a1: Vec<Applicability> = self
            .first
            .policies
            .iter()
            .zip(conds.iter_mut())
            .map(|(p, c)| {
                applicability(p, || {
                    c.take().unwrap_or_else(|| p.conditions.evaluate(&ctx))
                })
            })
            .collect();
        let r1 = self.first.decide_with(facts, &ctx, a1);
        let r2 = self.second.decide_with(facts, ctx2, a2);
        (r1, r2)
    }
}

fn policy_result(
    index: usize,
    p: &CompiledPolicy,
    applicability: Applicability,
    ctx: &Ctx,
    superseded: bool,
) -> PolicyResult {
    let applicability = session::strict_location(p, applicability, ctx);
    let mut notes = Notes::default();
    let grant = match &applicability {
        Applicability::NotApplied { .. } => None,
        // Computed for Unknown-applicability policies too (§10).
        _ => {
            notes.superseded = superseded;
            let g = grant::evaluate(
                &p.demand,
                ctx,
                GrantOpts {
                    strength_superseded: superseded,
                    every_time: p.session_rules.every_time,
                },
                &mut notes,
            );
            Some(session::apply(p.session_rules, g, ctx, &mut notes))
        }
    };
    PolicyResult {
        index,
        applicability,
        grant,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::{CompiledSet, Ctx, SetPair};
    use crate::replay::tenant::{Overrides, TenantPaths};
    use crate::replay::Tenant;
    use crate::signin::{self, LoadOptions, SignInRecord};
    use std::path::Path;

    const BUNDLED: [&str; 2] = ["datasets/seed-registration", "datasets/contoso"];

    /// Every sign-in of the seed tenant's exports.
    fn seed_records() -> Vec<SignInRecord> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let logs = signin::load(
            &[root.join("datasets/seed-registration/signins")],
            &LoadOptions::default(),
        )
        .expect("seed logs");
        assert!(logs.records.len() > 100);
        logs.records
    }

    fn bundled_tenant(t: &str) -> Tenant {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(t);
        let paths = TenantPaths::resolve(Some(&dir), &Overrides::default());
        Tenant::load(t, &paths).expect("tenant")
    }

    /// Baseline and every-report-only-promoted candidate of each bundled tenant.
    fn bundled_sets() -> Vec<(CompiledSet, CompiledSet)> {
        BUNDLED
            .iter()
            .map(|t| {
                let tenant = bundled_tenant(t);
                let base = tenant.compile(&tenant.policies);
                let cand = tenant.compile(&tenant.policies).with_report_only_enabled();
                (base, cand)
            })
            .collect()
    }

    /// `SetPair` (shared applicability) gives what evaluating each set alone gives, for
    /// the bundled tenants' baseline vs every-report-only-promoted candidate, and for a
    /// pair of different tenants (nothing shared).
    #[test]
    fn paired_sets_agree_with_separate_evaluation() {
        let records = seed_records();
        let sets = bundled_sets();
        let mut pairs = vec![];
        for (b, c) in &sets {
            let p = SetPair::new(b, c);
            assert_eq!(p.shared(), c.policies().len(), "every policy shares");
            pairs.push((p, b, c));
        }
        let cross = SetPair::new(&sets[0].0, &sets[1].1);
        assert_eq!(cross.shared(), 0, "other directory snapshots share nothing");
        pairs.push((cross, &sets[0].0, &sets[1].1));
        let mut compared = 0;
        for (pair, b, c) in &pairs {
            for rec in &records {
                let facts = signin::to_facts(rec);
                let (rb, rc) = pair.evaluate(&facts);
                assert_eq!(rb, b.evaluate(&facts), "{}", rec.event_id);
                assert_eq!(rc, c.evaluate(&facts), "{}", rec.event_id);
                compared += 1;
            }
        }
        assert!(compared > 300);
    }

    /// Lazy condition evaluation (stop at the first `No`) agrees with evaluating every
    /// condition, for every policy of both bundled tenants and every sign-in of the seed
    /// tenant.
    #[test]
    fn lazy_conditions_agree_with_eager_evaluation() {
        let records = seed_records();
        let mut compared = 0;
        for t in BUNDLED {
            let tenant = bundled_tenant(t);
            let set = tenant.compile(&tenant.policies);
            for rec in &records {
                let facts = signin::to_facts(rec);
                let ctx = Ctx::new(&facts, set.directory.as_deref())
                    .with_cross_tenant(set.cross_tenant.as_deref());
                for p in set.policies() {
                    assert_eq!(
                        p.conditions.evaluate(&ctx),
                        p.conditions.evaluate_eager(&ctx),
                        "{} on {}",
                        p.name(),
                        rec.event_id
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    /// Reasons written out only for the deciding category agree with the slow twin that
    /// writes every reason as it scans (`decision::decide_eager`), for the baseline and the
    /// every-report-only-promoted candidate of both bundled tenants and every seed sign-in.
    #[test]
    fn deferred_decision_reasons_agree_with_eager_reasons() {
        let records = seed_records();
        let mut kinds = std::collections::BTreeSet::new();
        for (base, cand) in &bundled_sets() {
            for set in [base, cand] {
                for rec in &records {
                    let facts = signin::to_facts(rec);
                    let ctx = Ctx::new(&facts, set.directory.as_deref())
                        .with_cross_tenant(set.cross_tenant.as_deref());
                    let r = set.evaluate(&facts);
                    assert_eq!(
                        r.decision,
                        super::decision::twin::decide_eager(set, &r.policies, &ctx),
                        "{}",
                        rec.event_id
                    );
                    kinds.insert(r.decision.label());
                }
            }
        }
        // Every category was compared.
        assert_eq!(kinds.len(), 4, "{kinds:?}");
    }

    /// Explanations and report summaries written into one string agree with their slow
    /// twins (each part formatted alone, then joined), for every policy and sign-in as in
    /// the test above.
    #[test]
    fn written_explanations_agree_with_joined_ones() {
        let records = seed_records();
        let mut compared = 0;
        for (base, cand) in &bundled_sets() {
            for set in [base, cand] {
                for rec in &records {
                    let r = set.evaluate(&signin::to_facts(rec));
                    assert_eq!(
                        crate::replay::run::summary(&r, set),
                        crate::replay::run::summary_slow(&r, set),
                        "{}",
                        rec.event_id
                    );
                    for pr in &r.policies {
                        let p = &set.policies()[pr.index];
                        assert_eq!(
                            pr.explanation(set),
                            super::super::explain_policy_slow(
                                p,
                                &pr.applicability,
                                pr.grant.as_ref()
                            )
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }
}
