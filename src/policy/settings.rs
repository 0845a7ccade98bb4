//! Tenant settings that no policy object carries but that change how Conditional Access
//! evaluates (`tenantSettings.json` in the tenant folder, optional):
//!
//! ```json
//! {"baselineScopes": {"targetResource": "default"}}
//! {"baselineScopes": {"targetResource": "<app id of a single-tenant app in the tenant>"}}
//! {"mfaTrustedIps": ["203.0.113.0/24", "198.51.100.7"]}
//! ```
//!
//! `baselineScopes` is the tenant's "baseline scope settings" of
//! improved-enforcement-resource-exclusions.md (2026-04-14) § "Preview the enforcement
//! change" / § "Retain legacy behavior with baseline scope settings": `default` = the
//! improved enforcement (baseline-scope requests evaluated as Windows Azure Active
//! Directory) is in force — chosen by the admin, or the phased rollout from 2026-05-13 has
//! reached the tenant; an app id = the custom target resource. Absent or `null`: not
//! configured (Microsoft's rollout dates decide). The file describes the whole log window.

/// The target resource for requests that ask only for baseline scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum BaselineScopeTarget {
    /// No setting: before 2026-05-13 the legacy exemption, then the phased rollout.
    #[default]
    NotConfigured,
    /// "default target resource" (Windows Azure Active Directory).
    Default,
    /// "custom target resource": a tenant-owned app id (lower case).
    Custom(String),
}

/// `tenantSettings.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantSettings {
    pub baseline_scopes: BaselineScopeTarget,
    /// The legacy "trusted IPs" of the multifactor authentication service settings, which
    /// "All trusted networks and locations" also covers ("Multifactor authentication
    /// trusted IPs, if configured": concept-assignment-network.md, "All trusted networks
    /// and locations"). Graph does not export them. `None` = not stated; `Some(empty)` =
    /// the tenant has none. IPv4 only ("This control only accepts IPv4 addresses", same
    /// section).
    pub mfa_trusted_ips: Option<Vec<ipnet::IpNet>>,
}
