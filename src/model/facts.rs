//! The facts of one sign-in event as the evaluator sees them. Every field is optional:
//! `None` means "the input does not carry this fact" and turns into `Tri::Unknown`
//! in any condition that needs it (evaluation.md §1). Never default a missing fact.

use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserType {
    Member,
    Guest,
}

/// CA guest/external user types (policy-model.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExternalUserType {
    InternalGuest,
    B2bCollaborationGuest,
    B2bCollaborationMember,
    B2bDirectConnectUser,
    OtherExternalUser,
    ServiceProvider,
}

impl ExternalUserType {
    pub const ALL: [ExternalUserType; 6] = [
        ExternalUserType::InternalGuest,
        ExternalUserType::B2bCollaborationGuest,
        ExternalUserType::B2bCollaborationMember,
        ExternalUserType::B2bDirectConnectUser,
        ExternalUserType::OtherExternalUser,
        ExternalUserType::ServiceProvider,
    ];
    /// Graph spelling (case-insensitive match on input).
    pub fn graph_name(self) -> &'static str {
        match self {
            ExternalUserType::InternalGuest => "internalGuest",
            ExternalUserType::B2bCollaborationGuest => "b2bCollaborationGuest",
            ExternalUserType::B2bCollaborationMember => "b2bCollaborationMember",
            ExternalUserType::B2bDirectConnectUser => "b2bDirectConnectUser",
            ExternalUserType::OtherExternalUser => "otherExternalUser",
            ExternalUserType::ServiceProvider => "serviceProvider",
        }
    }
    pub fn parse(s: &str) -> Option<ExternalUserType> {
        ExternalUserType::ALL
            .into_iter()
            .find(|t| t.graph_name().eq_ignore_ascii_case(s.trim()))
    }
}

/// Whether the user is external, and how (evaluation.md §3.2, signin-logs.md §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Externality {
    /// A member of this tenant, not external.
    Internal,
    External(ExternalUserType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserAction {
    RegisterSecurityInfo,
    RegisterDevice,
}

impl UserAction {
    pub fn urn(self) -> &'static str {
        match self {
            UserAction::RegisterSecurityInfo => "urn:user:registersecurityinfo",
            UserAction::RegisterDevice => "urn:user:registerdevice",
        }
    }
    pub fn parse(s: &str) -> Option<UserAction> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("urn:user:registersecurityinfo")
            || s.eq_ignore_ascii_case("registerSecurityInformation")
        {
            Some(UserAction::RegisterSecurityInfo)
        } else if s.eq_ignore_ascii_case("urn:user:registerdevice")
            || s.eq_ignore_ascii_case("registerOrJoinDevices")
        {
            Some(UserAction::RegisterDevice)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    Android,
    Ios,
    Windows,
    WindowsPhone,
    MacOs,
    Linux,
    /// Recognised but not a CA-supported platform (ChromeOS, "Other"): only `all` matches.
    Unsupported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientAppType {
    Browser,
    MobileAppsAndDesktopClients,
    ExchangeActiveSync,
    /// Legacy authentication protocols.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
    /// Logged as `hidden` without a P2 licence: not a level, evaluates as Unknown.
    Hidden,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsiderRisk {
    Minor,
    Moderate,
    Elevated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferMethod {
    None,
    DeviceCodeFlow,
    AuthenticationTransfer,
}

/// Token protection status of the sign-in session (beta sign-in
/// `tokenProtectionStatusDetails.signInSessionStatus`; `none` is not a status: Unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenBinding {
    /// Device-bound session token: passes the token protection session control.
    Bound,
    /// Not bound: a token protection policy blocks it (concept-token-protection.md).
    Unbound,
}

/// Device trust type in device-filter vocabulary (evaluation.md §3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrustType {
    /// Microsoft Entra joined.
    AzureAd,
    /// Hybrid joined.
    ServerAd,
    /// Registered.
    Workplace,
}

/// Country of the request IP as Microsoft looked it up (evaluation.md §3.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Country {
    /// ISO 3166 two-letter code, upper case.
    Code(String),
    /// The lookup found no country (logged as empty string).
    NoCountry,
}

/// Authentication method completed in the session, as logged. A log label can map to
/// several `authenticationMethodModes` (evaluation.md §4.4 table); the engine decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthMethod {
    Password,
    Sms,
    Voice,
    AuthenticatorPush,
    /// OATH code: software or hardware (logs use one label).
    Oath,
    SoftwareOath,
    HardwareOath,
    /// Authenticator passwordless phone sign-in.
    PhoneSignIn,
    Fido2,
    WindowsHelloForBusiness,
    /// TAP, one-time vs multi-use unknown.
    TemporaryAccessPass,
    TemporaryAccessPassOneTime,
    TemporaryAccessPassMultiUse,
    /// Certificate, single vs multi factor unknown.
    X509Certificate,
    X509CertificateSingleFactor,
    X509CertificateMultiFactor,
    Email,
    FederatedSingleFactor,
    FederatedMultiFactor,
    /// An external authentication method (EAM): satisfies `mfa`, never a strength.
    ExternalMethod,
    /// "Previously satisfied" / "claim in the token": an earlier, unnamed MFA method.
    PreviouslySatisfied,
}

/// Device facts. `registered = Some(false)` is a known unregistered device (empty deviceId).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DeviceFacts {
    pub registered: Option<bool>,
    pub device_id: Option<String>,
    pub display_name: Option<String>,
    pub operating_system: Option<String>,
    pub is_compliant: Option<bool>,
    pub is_managed: Option<bool>,
    pub trust_type: Option<TrustType>,
}

/// One event's facts. Directory-derived facts (groups, roles) are looked up by the
/// engine in the directory snapshot using `user_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EventFacts {
    pub kind: Option<EventKind>,
    pub user_id: Option<String>,
    pub user_type: Option<UserType>,
    /// Derived guest/external type; `None` = cannot tell.
    pub externality: Option<Externality>,
    pub home_tenant_id: Option<String>,
    pub resource_tenant_id: Option<String>,
    /// Service principal object id (workload identity sign-ins).
    pub service_principal_id: Option<String>,
    /// Whether the service principal is single-tenant and owned by this tenant.
    pub service_principal_in_tenant: Option<bool>,
    /// Client app id.
    pub app_id: Option<String>,
    /// Resource (token audience) id.
    pub resource_id: Option<String>,
    /// Extra audiences evaluated (beta `conditionalAccessAudiences`).
    pub extra_audiences: Vec<String>,
    /// Whether the export carries `conditionalAccessAudiences` at all (beta / diagnostic
    /// settings): without them, a dependency evaluated early-bound is invisible
    /// (service-dependencies.md), so `extra_audiences` empty means "not known".
    pub audiences_logged: bool,
    /// When the sign-in happened (`createdDateTime`): some rules are dated
    /// (`engine::conditions::baseline_scopes`). The replay key keeps only its period
    /// ([`crate::engine::baseline_scope_period`]).
    pub signed_in_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `Some(None)` = known: no user action. `Some(Some(a))` = known action. `None` = unknown.
    pub user_action: Option<Option<UserAction>>,
    /// Authentication context ids requested; `None` = not recorded.
    pub auth_contexts: Option<Vec<String>>,
    pub ip: Option<IpAddr>,
    pub country: Option<Country>,
    pub platform: Option<Platform>,
    pub client_app: Option<ClientAppType>,
    pub device: DeviceFacts,
    pub sign_in_risk: Option<RiskLevel>,
    pub user_risk: Option<RiskLevel>,
    pub service_principal_risk: Option<RiskLevel>,
    pub insider_risk: Option<InsiderRisk>,
    pub original_transfer_method: Option<TransferMethod>,
    /// Methods completed in this session; `None` = not recorded.
    pub methods: Option<Vec<AuthMethod>>,
    /// Session already holds an MFA claim; `None` = not recorded.
    pub mfa_claim: Option<bool>,
    /// Terms of use accepted (by agreement id); `None` = not known.
    pub tou_accepted: Option<Vec<String>>,
    /// Guest: resource tenant trusts the home tenant's MFA (cross-tenant inbound trust).
    pub cross_tenant_mfa_trust: Option<bool>,
    /// Token protection status of the sign-in session; `None` = not recorded.
    pub token_protection: Option<TokenBinding>,
    /// The IP the resource saw (beta `ipAddressFromResourceProvider`, what CAE strict
    /// location enforcement checks). `Some(None)` = the log says it is the same as `ip`
    /// (the field is blank then); `None` = not recorded.
    pub resource_ip: Option<Option<IpAddr>>,
    /// Whether the token subject is an agent, and which kind (beta `signIn.agent`);
    /// `None` = the log does not say (v1.0, CSV, older exports).
    pub agent: Option<AgentKind>,
}

/// The agent kind of a sign-in's token subject (Graph beta `microsoft.graph.agentic.agentType`,
/// docs/agent-id/sign-in-audit-logs-agents.md "agentType").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentKind {
    /// `notAgentic`: a standard user, app or service principal.
    NotAgentic,
    /// `agenticAppInstance`: an agent identity (service-principal-like).
    AgentIdentity,
    /// `agentIDuser`: an agent's user account.
    AgentUser,
    /// `agenticApp` / `agentIdentityBlueprintPrincipal`: a blueprint or its principal.
    Blueprint,
    /// `unknownFutureValue` or a value newer than careplay: agentic, kind unknown.
    Unrecognized,
}

impl AgentKind {
    /// Any spelling case; never fails (an unknown value is [`AgentKind::Unrecognized`]).
    pub fn parse(s: &str) -> AgentKind {
        let s = s.trim();
        let eq = |t: &str| s.eq_ignore_ascii_case(t);
        if eq("notAgentic") {
            AgentKind::NotAgentic
        } else if eq("agenticAppInstance") || eq("agentIdentity") {
            AgentKind::AgentIdentity
        } else if eq("agentIDuser") || eq("agentUser") {
            AgentKind::AgentUser
        } else if eq("agenticApp")
            || eq("agentIdentityBlueprintPrincipal")
            || eq("agentIdentityBlueprint")
        {
            AgentKind::Blueprint
        } else {
            AgentKind::Unrecognized
        }
    }
}
