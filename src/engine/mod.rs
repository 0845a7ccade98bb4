//! The pure Conditional Access evaluator (design.md "engine"; evaluation.md).
//!
//! No file system, clock, threads or printing here: `compile` turns Graph policies plus
//! tenant data into a [`CompiledSet`]; [`CompiledSet::evaluate`] turns one event's facts into
//! per-policy results and an event decision. Missing facts become `Unknown`, never a guess.

mod bootstrap;
pub mod bundles;
mod compile;
pub(crate) mod conditions;
mod context;
mod decision;
pub mod device_filter;
mod evaluate;
mod explain;
pub(crate) mod grant;
mod ids;
mod result;
mod session;
pub(crate) mod strength;
pub mod undecided;

pub use compile::{compile, CompileIssue, CompiledPolicy, CompiledSet};
pub use conditions::baseline_scopes::period as baseline_scope_period;
pub use context::{device_view, DeviceView};
pub use evaluate::SetPair;
#[cfg(test)]
pub(crate) use explain::explain_policy_slow;
pub(crate) use explain::write_policy;
pub use result::{
    Applicability, ConditionName, Control, Decision, EventResult, Evidence, GrantResult, Notes,
    PolicyResult, PolicyState,
};

use crate::policy::{
    AuthenticationStrength, BaselineScopeTarget, CrossTenantAccess, Directory, NamedLocation,
};

/// Tenant data a policy set is compiled against.
#[derive(Debug, Clone, Copy, Default)]
pub struct TenantInputs<'a> {
    /// Directory snapshot (groups, roles, guest types, devices); `None` = not supplied,
    /// so every condition needing it is Unknown.
    pub directory: Option<&'a Directory>,
    pub locations: &'a [NamedLocation],
    /// No named-location snapshot was given at all (not "the tenant has none"): whether
    /// an address is trusted, and every named location id, is then Unknown — "not
    /// trusted" would be a guess (evaluation.md §3.5).
    pub no_locations_snapshot: bool,
    /// Tenant / custom strengths; the built-ins are added by `compile`.
    pub strengths: &'a [AuthenticationStrength],
    /// Legacy MFA trusted IPs (the `00000000-…` pseudo-location, policy-model.md §8).
    pub mfa_trusted_ips: &'a [ipnet::IpNet],
    /// The MFA trusted IPs list was not given (a tenant snapshot has no file for it): a
    /// policy naming the pseudo-location is then Unknown there, not "not in it".
    pub mfa_trusted_ips_unknown: bool,
    /// The tenant's baseline scope settings (`tenantSettings.json`); `None` = not
    /// configured.
    pub baseline_scopes: Option<&'a BaselineScopeTarget>,
    /// Cross-tenant access settings (inbound MFA / device trust for external users);
    /// `None` = not supplied, so those facts are Unknown for external users.
    pub cross_tenant: Option<&'a CrossTenantAccess>,
}
