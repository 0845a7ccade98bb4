//! Per-event evaluation (evaluation.md §10 reference procedure): applicability of every
//! policy, then grants (with the registration strength-precedence rule of §4.4), then
//! the decision over enabled policies.

use super::compile::{CompiledPolicy, CompiledSet};
use super::context::Ctx;
use super::decision;
use super::grant::{self, GrantOpts};
use super::result::{Applicability, ConditionName, EventResult, PolicyResult, PolicyState};
use crate::model::{EventFacts, UserAction};

impl CompiledSet {
    /// Evaluate one event. Pure: no I/O, no clock.
    pub fn evaluate(&self, facts: &EventFacts) -> EventResult {
        let ctx = Ctx::new(facts, self.directory.as_deref());
        let applicability: Vec<Applicability> = self
            .policies
            .iter()
            .map(|p| match p.state() {
                PolicyState::Disabled => Applicability::NotApplied {
                    condition: ConditionName::PolicyNotEnabled,
                    reason: "policy is disabled (notEnabled)".into(),
                },
                _ => p.conditions.evaluate(&ctx),
            })
            .collect();

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
                policy_result(index, p, applicability, &ctx, superseded)
            })
            .collect::<Vec<_>>();
        let decision = decision::decide(self, &policies, &ctx);
        EventResult { policies, decision }
    }
}

fn policy_result(
    index: usize,
    p: &CompiledPolicy,
    applicability: Applicability,
    ctx: &Ctx,
    superseded: bool,
) -> PolicyResult {
    let mut notes = vec![];
    let grant = match &applicability {
        Applicability::NotApplied { .. } => None,
        // Computed for Unknown-applicability policies too (§10).
        _ => {
            if superseded {
                notes.push(
                    "registration interrupt mode: this policy's authentication strength is superseded by the user-action policy's strength (evaluation.md §4.4)"
                        .to_string(),
                );
            }
            Some(grant::evaluate(
                &p.demand,
                ctx,
                GrantOpts {
                    strength_superseded: superseded,
                },
                &mut notes,
            ))
        }
    };
    PolicyResult {
        index,
        applicability,
        grant,
        notes,
        session: std::sync::Arc::clone(p.session_controls()),
    }
}

#[cfg(test)]
mod tests {
    use super::Ctx;
    use crate::replay::tenant::{Overrides, TenantPaths};
    use crate::replay::Tenant;
    use crate::signin::{self, LoadOptions};
    use std::path::Path;

    /// Lazy condition evaluation (stop at the first `No`) agrees with evaluating every
    /// condition, for every policy of both bundled tenants and every sign-in of the seed
    /// tenant plus the contoso policies' own fixtures' events.
    #[test]
    fn lazy_conditions_agree_with_eager_evaluation() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let logs = signin::load(
            &[root.join("datasets/seed-registration/signins")],
            &LoadOptions::default(),
        )
        .expect("seed logs");
        assert!(logs.records.len() > 100);
        let mut compared = 0;
        for t in ["datasets/seed-registration", "datasets/contoso"] {
            let dir = root.join(t);
            let paths = TenantPaths::resolve(Some(&dir), &Overrides::default());
            let tenant = Tenant::load(t, &paths).expect("tenant");
            let set = tenant.compile(&tenant.policies);
            for rec in &logs.records {
                let facts = signin::to_facts(rec);
                let ctx = Ctx::new(&facts, set.directory.as_deref());
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
}
