//! Cross-tenant access settings: which Conditional Access claims of an external user's home
//! tenant this (resource) tenant accepts (Graph `crossTenantAccessPolicy`: the `default`
//! configuration and per-tenant `partners`, each with an `inboundTrust`). Documented in
//! README "Cross-tenant access settings"; loaded by `policy::load::cross_tenant`.
//!
//! Resolution (Graph `crossTenantAccessPolicyConfigurationPartner.inboundTrust`): a partner
//! whose `inboundTrust` is null, or one of whose flags is null, inherits the default
//! configuration's value. A flag that neither the partner nor the default gives (the file
//! has no default) stays `None`: Unknown, never "not trusted".

use std::collections::BTreeMap;

/// `crossTenantAccessPolicyInboundTrust`; `None` = not given (inherit / unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct InboundTrust {
    pub mfa: Option<bool>,
    pub compliant_device: Option<bool>,
    pub hybrid_joined_device: Option<bool>,
}

impl InboundTrust {
    /// `self` where it has a value, else `fallback`'s.
    fn or(self, fallback: InboundTrust) -> InboundTrust {
        InboundTrust {
            mfa: self.mfa.or(fallback.mfa),
            compliant_device: self.compliant_device.or(fallback.compliant_device),
            hybrid_joined_device: self.hybrid_joined_device.or(fallback.hybrid_joined_device),
        }
    }
}

/// The tenant's cross-tenant access settings as far as Conditional Access reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CrossTenantAccess {
    /// The default configuration's inbound trust; `None` = the file has no default object
    /// (only partners), so a tenant without a partner entry is Unknown.
    pub default: Option<InboundTrust>,
    /// Partner configurations by tenant id (trimmed, lower case); `None` = the partner's
    /// `inboundTrust` is null (inherits the default).
    pub partners: BTreeMap<String, Option<InboundTrust>>,
    /// Tenant ids of soft-deleted partner entries (`deletedDateTime` set), left out: those
    /// tenants follow the default. Listed so the run can say so.
    pub deleted_partners: Vec<String>,
}

impl CrossTenantAccess {
    /// The inbound trust that applies to users whose home tenant is `home_tenant`: the
    /// partner entry, its missing flags taken from the default.
    pub fn inbound(&self, home_tenant: &str) -> InboundTrust {
        let default = self.default.unwrap_or_default();
        let key = home_tenant.trim().to_ascii_lowercase();
        match self.partners.get(&key) {
            Some(Some(p)) => p.or(default),
            Some(None) | None => default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_flags_inherit_the_default() {
        let mut s = CrossTenantAccess {
            default: Some(InboundTrust {
                mfa: Some(false),
                compliant_device: Some(true),
                hybrid_joined_device: Some(false),
            }),
            ..Default::default()
        };
        s.partners.insert(
            "aaaa".into(),
            Some(InboundTrust {
                mfa: Some(true),
                ..Default::default()
            }),
        );
        s.partners.insert("bbbb".into(), None);
        let a = s.inbound(" AAAA ");
        assert_eq!(a.mfa, Some(true));
        assert_eq!(a.compliant_device, Some(true));
        assert_eq!(s.inbound("bbbb").mfa, Some(false));
        assert_eq!(s.inbound("cccc").mfa, Some(false));
        let no_default = CrossTenantAccess {
            default: None,
            partners: s.partners.clone(),
            deleted_partners: vec![],
        };
        assert_eq!(no_default.inbound("cccc").mfa, None);
        assert_eq!(no_default.inbound("aaaa").compliant_device, None);
    }
}
