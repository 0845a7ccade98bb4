//! Lint rules, one per file. `V13`, `V14`, `V16` are documented constraints
//! (policy-model.md §15) that are also reported by validation; `L*` rules are careplay's
//! practice checks.

pub mod beta_fields;
pub mod block_everyone;
pub mod guest_tap;
pub mod no_emergency_exclusion;
pub mod report_only_no_targets;
pub mod strength_with_external_methods;
pub mod user_action_report_only;

use super::finding::{run_rules, Finding, Rule, TenantData};
use super::load::LoadedPolicy;

/// The lint-only rules (practice checks), in code order.
pub fn lint_rules() -> Vec<&'static dyn Rule> {
    vec![
        &no_emergency_exclusion::NoEmergencyExclusion,
        &guest_tap::GuestTap,
        &strength_with_external_methods::StrengthWithExternalMethods,
        &report_only_no_targets::ReportOnlyNoTargets,
    ]
}

/// Every rule `careplay policies lint` runs: validation (V1–V16) then the L rules.
pub fn all_rules() -> Vec<&'static dyn Rule> {
    let mut rules = super::validate::rules();
    rules.extend(lint_rules());
    rules
}

/// Lint every policy with [`all_rules`].
pub fn lint(policies: &[LoadedPolicy], tenant: &TenantData) -> Vec<Finding> {
    run_rules(&all_rules(), policies, tenant)
}
