//! Validation: the documented constraints of policy-model.md §15 (V1–V16). V13, V14 and
//! V16 live in `policy::lint` (they are also lint rules) and are included here.

mod v01_required;
mod v02_block_exclusive;
mod v03_mfa_and_strength;
mod v04_password_change;
mod v05_risk_remediation;
mod v06_one_resource_kind;
mod v07_register_device;
mod v08_workload_identity;
mod v09_device_state_and_filter;
mod v10_filter_rule;
mod v11_locations;
mod v12_references;
mod v15_app_controls_platforms;

use super::finding::{run_rules, Finding, Rule, TenantData};
use super::lint;
use super::load::LoadedPolicy;

pub use v11_locations::validate_locations;

/// The validation rules V1–V16 (V11 is [`validate_locations`]), in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &v01_required::Required,
        &v02_block_exclusive::BlockExclusive,
        &v03_mfa_and_strength::MfaAndStrength,
        &v04_password_change::PasswordChange,
        &v05_risk_remediation::RiskRemediation,
        &v06_one_resource_kind::OneResourceKind,
        &v07_register_device::RegisterDevice,
        &v08_workload_identity::WorkloadIdentity,
        &v09_device_state_and_filter::DeviceStateAndFilter,
        &v10_filter_rule::FilterRule,
        &v12_references::References,
        &lint::beta_fields::BetaFields,
        &lint::user_action_report_only::UserActionReportOnly,
        &v15_app_controls_platforms::AppControlsPlatforms,
        &lint::block_everyone::BlockEveryone,
    ]
}

/// Validate every policy (V1–V16 except V11).
pub fn validate(policies: &[LoadedPolicy], tenant: &TenantData) -> Vec<Finding> {
    run_rules(&rules(), policies, tenant)
}
