//! Per-event evaluation context: the event facts plus the directory snapshot, with the
//! small derivations several conditions share (principal kind, guest type, device view).

use crate::engine::bundles::{self, REGISTRATION_RESOURCES};
use crate::model::{
    AgentKind, ClientAppType, EventFacts, EventKind, ExternalUserType, Externality, Tri, TrustType,
    UserType,
};
use crate::policy::directory::id_key;
use crate::policy::directory::{DirDevice, DirUser, GroupSet};
use crate::policy::{CrossTenantAccess, Directory, InboundTrust};
use std::borrow::Cow;
use std::cell::OnceCell;

/// Who is signing in (evaluation.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalKind {
    User,
    ServicePrincipal,
    ManagedIdentity,
    Unknown,
}

/// One evaluated token audience (evaluation.md §3.4a): its id in key form and its
/// membership of the application bundles (Unknown where the bundle table cannot place it,
/// `bundles` module comment), worked out once per event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Audience<'a> {
    /// Trimmed, ASCII lower case (`policy::directory::id_key`).
    pub key: Cow<'a, str>,
    pub office365: Tri,
    pub admin_portals: Tri,
    /// In the Windows Azure Service Management API group.
    pub azure_management: Tri,
}

impl<'a> Audience<'a> {
    /// The audiences of an event: the resource, then the extra `conditionalAccessAudiences`,
    /// blank ones left out ([`Ctx::audiences`] keeps them once per event; its slow twin is
    /// `ApplicationCond::eval_raw`, which reads the raw facts per policy).
    pub fn of(facts: &'a EventFacts, dir: Option<&Directory>) -> Vec<Audience<'a>> {
        facts
            .resource_id
            .iter()
            .chain(facts.extra_audiences.iter())
            .map(|s| s.as_str())
            .filter(|s| !s.trim().is_empty())
            .map(|s| Audience::for_id(s, dir))
            .collect()
    }

    /// One app id as an audience.
    pub fn for_id(id: &'a str, dir: Option<&Directory>) -> Audience<'a> {
        Audience {
            key: id_key(id),
            office365: bundles::office365().membership(id, dir),
            admin_portals: bundles::admin_portals().membership(id, dir),
            azure_management: bundles::azure_management().membership(id, dir),
        }
    }
}

/// The evaluation context of one event. What every policy asks of the event is worked out
/// once per event and shared by every policy (memo cells): directory lookups of the
/// signing-in user, the user id in key form, the token audiences.
pub(crate) struct Ctx<'a> {
    pub facts: &'a EventFacts,
    pub dir: Option<&'a Directory>,
    /// The tenant's cross-tenant access settings; `None` = not supplied.
    cross_tenant: Option<&'a CrossTenantAccess>,
    user: OnceCell<Option<&'a DirUser>>,
    groups: OnceCell<Option<&'a GroupSet>>,
    user_key: OnceCell<Option<Cow<'a, str>>>,
    app_key: OnceCell<Option<Cow<'a, str>>>,
    audiences: OnceCell<Vec<Audience<'a>>>,
    registration_resource: OnceCell<Option<bool>>,
}

impl<'a> Ctx<'a> {
    pub fn new(facts: &'a EventFacts, dir: Option<&'a Directory>) -> Ctx<'a> {
        Ctx {
            facts,
            dir,
            cross_tenant: None,
            user: OnceCell::new(),
            groups: OnceCell::new(),
            user_key: OnceCell::new(),
            app_key: OnceCell::new(),
            audiences: OnceCell::new(),
            registration_resource: OnceCell::new(),
        }
    }

    /// The same context reading the tenant's cross-tenant access settings.
    pub fn with_cross_tenant(mut self, settings: Option<&'a CrossTenantAccess>) -> Ctx<'a> {
        self.cross_tenant = settings;
        self
    }

    /// The inbound trust this tenant gives the user's home tenant (partner entry, else the
    /// default; Graph crossTenantAccessPolicyConfigurationPartner). `None` without the
    /// settings file or without the user's home tenant id.
    fn inbound_trust(&self) -> Option<InboundTrust> {
        let settings = self.cross_tenant?;
        Some(settings.inbound(&self.home_tenant()?))
    }

    /// Whether this tenant accepts MFA done in an external user's home tenant: the event's
    /// own fact (injected by `whatif` / case files) first, else the cross-tenant settings.
    pub fn mfa_trust(&self) -> Option<bool> {
        self.facts
            .cross_tenant_mfa_trust
            .or_else(|| self.inbound_trust()?.mfa)
    }

    /// Whether this tenant accepts the home tenant's compliant-device claim.
    pub fn compliant_device_trust(&self) -> Option<bool> {
        self.inbound_trust()?.compliant_device
    }

    /// Whether this tenant accepts the home tenant's hybrid-joined-device claim.
    pub fn hybrid_device_trust(&self) -> Option<bool> {
        self.inbound_trust()?.hybrid_joined_device
    }

    /// Whether the signing-in user is an agent's user account (an "agent user"). From the
    /// beta `agent` field; without it, an interactive sign-in is No: an agent's user
    /// account has no user interface and cannot answer a prompt (agent-id.md "Agent's user
    /// account": autonomous, "no remediation to authentication challenges"). A
    /// non-interactive sign-in without the field is Unknown.
    pub fn agent_user(&self) -> Tri {
        match self.facts.agent {
            Some(AgentKind::AgentUser) => Tri::Yes,
            Some(AgentKind::Unrecognized) => {
                Tri::unknown("agent type in the log is not one careplay knows")
            }
            Some(_) => Tri::No,
            None if self.facts.kind == Some(EventKind::Interactive) => Tri::No,
            None => Tri::unknown(
                "the log does not say whether the user is an agent's user account (no beta \
                 `agent` field)",
            ),
        }
    }

    /// Whether the signing-in service principal is an agent identity (beta `agent`).
    pub fn agent_identity(&self) -> Tri {
        match self.facts.agent {
            Some(AgentKind::AgentIdentity) => Tri::Yes,
            Some(AgentKind::NotAgentic | AgentKind::AgentUser) => Tri::No,
            Some(AgentKind::Blueprint) => Tri::unknown(
                "an agent identity blueprint's own sign-in: agent-identity scopes are not \
                 documented for it",
            ),
            Some(AgentKind::Unrecognized) => {
                Tri::unknown("agent type in the log is not one careplay knows")
            }
            None => Tri::unknown(
                "the log does not say whether the service principal is an agent identity (no \
                 beta `agent` field)",
            ),
        }
    }

    /// The signing-in user's id in key form (trimmed, ASCII lower case).
    pub fn user_key(&self) -> Option<&str> {
        self.user_key
            .get_or_init(|| self.facts.user_id.as_deref().map(id_key))
            .as_deref()
    }

    /// The client app id in key form.
    pub fn app_key(&self) -> Option<&str> {
        self.app_key
            .get_or_init(|| self.facts.app_id.as_deref().map(id_key))
            .as_deref()
    }

    /// The event's token audiences ([`Audience::of`], once per event).
    pub fn audiences(&self) -> &[Audience<'a>] {
        self.audiences
            .get_or_init(|| Audience::of(self.facts, self.dir))
    }

    /// Whether the resource is a security-info registration endpoint (evaluation.md
    /// §3.4c); `None` when the resource is unknown.
    pub fn registration_resource(&self) -> Option<bool> {
        *self.registration_resource.get_or_init(|| {
            self.facts
                .resource_id
                .as_deref()
                .map(|r| bundles::contains(REGISTRATION_RESOURCES, r))
        })
    }

    /// Transitive groups of the signing-in user; `None` without a directory, a user id,
    /// or when the user is not in the snapshot.
    pub fn transitive_groups(&self) -> Option<&'a GroupSet> {
        *self.groups.get_or_init(|| {
            let id = self.facts.user_id.as_deref()?;
            self.dir?.transitive_groups(id)
        })
    }

    pub fn principal(&self) -> PrincipalKind {
        match self.facts.kind {
            Some(EventKind::Interactive | EventKind::NonInteractive) => PrincipalKind::User,
            Some(EventKind::ServicePrincipal) => PrincipalKind::ServicePrincipal,
            Some(EventKind::ManagedIdentity) => PrincipalKind::ManagedIdentity,
            None => PrincipalKind::Unknown,
        }
    }

    pub fn dir_user(&self) -> Option<&'a DirUser> {
        *self.user.get_or_init(|| {
            let id = self.facts.user_id.as_deref()?;
            self.dir?.user(id)
        })
    }

    /// Guest/external type: the event's own derivation first (signin-logs.md §8.2),
    /// else the directory snapshot's `externalUserType` / `userType` / home tenant.
    pub fn externality(&self) -> Option<Externality> {
        if let Some(x) = self.facts.externality {
            return Some(x);
        }
        let u = self.dir_user()?;
        if let Some(t) = u
            .external_user_type
            .as_deref()
            .and_then(ExternalUserType::parse)
        {
            return Some(Externality::External(t));
        }
        let tenant = self.dir.and_then(|d| d.tenant_id.as_deref());
        let home_is_here = match (u.home_tenant_id.as_deref(), tenant) {
            (None, _) => true,
            (Some(h), Some(t)) => h.trim().eq_ignore_ascii_case(t),
            (Some(_), None) => false,
        };
        let member = u
            .user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("member"))
            || self.facts.user_type == Some(UserType::Member);
        if member && home_is_here {
            Some(Externality::Internal)
        } else {
            None
        }
    }

    /// The user's home tenant id (lower case), from facts or the directory.
    pub fn home_tenant(&self) -> Option<String> {
        self.facts
            .home_tenant_id
            .clone()
            .or_else(|| self.dir_user().and_then(|u| u.home_tenant_id.clone()))
            .map(|s| s.trim().to_ascii_lowercase())
    }

    /// Whether the request can answer an interactive prompt (evaluation.md §4.6).
    pub fn can_interact(&self) -> Tri {
        if matches!(
            self.facts.client_app,
            Some(ClientAppType::Other | ClientAppType::ExchangeActiveSync)
        ) {
            return Tri::No;
        }
        match self.facts.kind {
            Some(EventKind::Interactive) => Tri::Yes,
            Some(_) => Tri::No,
            None => Tri::unknown("request kind (interactive or not) unknown"),
        }
    }

    pub fn is_legacy_client(&self) -> bool {
        matches!(
            self.facts.client_app,
            Some(ClientAppType::Other | ClientAppType::ExchangeActiveSync)
        )
    }

    pub fn device_snapshot(&self) -> Option<&'a DirDevice> {
        let id = self.facts.device.device_id.as_deref()?;
        if id.trim().is_empty() {
            return None;
        }
        self.dir?.device(id)
    }

    /// `Some(false)` = known unregistered device (evaluation.md §3.8).
    pub fn device_registered(&self) -> Option<bool> {
        if let Some(r) = self.facts.device.registered {
            return Some(r);
        }
        match self.facts.device.device_id.as_deref() {
            Some(id) if !id.trim().is_empty() => Some(true),
            Some(_) => Some(false),
            None => None,
        }
    }

    pub fn device_compliant(&self) -> Option<bool> {
        if self.device_registered() == Some(false) {
            return Some(false);
        }
        self.facts
            .device
            .is_compliant
            .or_else(|| self.device_snapshot().and_then(|d| d.is_compliant))
    }

    pub fn device_managed(&self) -> Option<bool> {
        if self.device_registered() == Some(false) {
            return Some(false);
        }
        self.facts
            .device
            .is_managed
            .or_else(|| self.device_snapshot().and_then(|d| d.is_managed))
    }

    pub fn device_trust(&self) -> Option<TrustType> {
        self.facts.device.trust_type.or_else(|| {
            self.device_snapshot()
                .and_then(|d| d.trust_type.as_deref())
                .and_then(parse_trust)
        })
    }

    /// TAP one-time vs multi-use from the directory (`isUsableOnce`).
    pub fn tap_usable_once(&self) -> Option<bool> {
        self.dir_user().and_then(|u| u.tap_is_usable_once)
    }

    pub fn tou_accepted(&self) -> Option<&'a [String]> {
        if let Some(t) = self.facts.tou_accepted.as_deref() {
            return Some(t);
        }
        self.dir_user().and_then(|u| u.tou_accepted.as_deref())
    }
}

pub(crate) fn parse_trust(s: &str) -> Option<TrustType> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("AzureAD") || s.eq_ignore_ascii_case("Azure AD joined") {
        Some(TrustType::AzureAd)
    } else if s.eq_ignore_ascii_case("ServerAD") || s.eq_ignore_ascii_case("Hybrid Azure AD joined")
    {
        Some(TrustType::ServerAd)
    } else if s.eq_ignore_ascii_case("Workplace") || s.eq_ignore_ascii_case("Azure AD registered") {
        Some(TrustType::Workplace)
    } else {
        None
    }
}

/// The device as the evaluator sees it: the log's `deviceDetail` with the directory
/// snapshot's device filling what the log lacks (`Ctx::device_*`). `None` = unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DeviceView {
    pub registered: Option<bool>,
    pub compliant: Option<bool>,
    pub managed: Option<bool>,
    pub trust_type: Option<TrustType>,
}

/// [`DeviceView`] of one event: the same derivations the device conditions and grants
/// read, so a per-event report shows what decided them.
pub fn device_view(facts: &EventFacts, dir: Option<&Directory>) -> DeviceView {
    let ctx = Ctx::new(facts, dir);
    DeviceView {
        registered: ctx.device_registered(),
        compliant: ctx.device_compliant(),
        managed: ctx.device_managed(),
        trust_type: ctx.device_trust(),
    }
}
