//! Canonical row → the evaluator's [`EventFacts`] (signin-logs.md §8). Every mapping keeps
//! "not logged" as `None` (Unknown), never a guess.

use super::schema::{EventType, SignInRecord};
use super::values::{self, parse_ip};
use crate::model::{
    text, AgentKind, AuthMethod, ClientAppType, Country, DeviceFacts, EventFacts, EventKind,
    ExternalUserType, Externality, Platform, RiskLevel, TransferMethod, TrustType, UserAction,
    UserType,
};

/// App id of the My Sign-ins SPA where security info is registered (signin-logs.md §8.5).
pub const MY_SIGNINS_APP_ID: &str = "19db86c3-b2b9-44cc-b339-36da233a3be2";

/// Device Registration Service: where Windows Hello for Business and macOS Platform SSO
/// credentials are registered.
pub const DRS_APP_ID: &str = "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9";

/// "Starting July 6, 2026, Conditional Access policies that target Register security
/// information will apply during Windows Hello for Business and macOS Platform SSO
/// credential registration" (policy-all-users-security-info-registration.md, overview,
/// "Important"; entra-docs 2026-03-24). Before that day those flows did not evaluate them.
pub const CREDENTIAL_REGISTRATION_FROM: (i32, u32, u32) = (2026, 7, 6);

/// Whether the row is on a resource where security info can be registered at its time:
/// My Sign-ins always; the Device Registration Service from
/// [`CREDENTIAL_REGISTRATION_FROM`]; `None` = on DRS but the time is unknown.
fn on_registration_resource(r: &SignInRecord) -> Option<bool> {
    let on = |app: &str| {
        [r.app_id.as_deref(), r.resource_id.as_deref()]
            .into_iter()
            .flatten()
            .any(|id| id.trim().eq_ignore_ascii_case(app))
    };
    if on(MY_SIGNINS_APP_ID) {
        return Some(true);
    }
    if !on(DRS_APP_ID) {
        return Some(false);
    }
    let (y, m, d) = CREDENTIAL_REGISTRATION_FROM;
    let from = chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    r.created_at.map(|t| t.date_naive() >= from)
}

/// Map one canonical row to evaluator facts.
pub fn to_facts(r: &SignInRecord) -> EventFacts {
    let user_type = user_type(r);
    let methods = auth_methods(r);
    EventFacts {
        kind: event_kind(r.event_type),
        user_id: r.user_id.clone(),
        user_type,
        externality: externality(r, user_type),
        home_tenant_id: r.home_tenant_id.clone(),
        resource_tenant_id: r.resource_tenant_id.clone(),
        service_principal_id: r.sp_id.clone(),
        // Needs the directory (single-tenant, owned here): not in any log.
        service_principal_in_tenant: None,
        app_id: r.app_id.clone(),
        resource_id: r.resource_id.clone(),
        extra_audiences: r.ca_audiences.clone().unwrap_or_default(),
        audiences_logged: r.ca_audiences.is_some(),
        signed_in_at: r.created_at,
        user_action: user_action(r),
        auth_contexts: auth_contexts(r),
        ip: r.ip.as_deref().and_then(parse_ip),
        country: r.country.as_deref().map(|c| {
            if text::trim(c).is_empty() {
                Country::NoCountry
            } else {
                Country::Code(text::trim(c).to_ascii_uppercase())
            }
        }),
        platform: platform(r.os_raw.as_deref(), r.user_agent.as_deref()),
        client_app: r.client_app_raw.as_deref().and_then(client_app),
        device: device(r),
        sign_in_risk: r.sign_in_risk.as_deref().and_then(risk),
        // Not in sign-in logs (signin-logs.md §8 rows 16, 17, 25).
        user_risk: None,
        service_principal_risk: None,
        insider_risk: None,
        original_transfer_method: r.original_transfer_method.as_deref().and_then(transfer),
        methods: methods.map(|m| m.methods),
        mfa_claim: r.mfa_satisfied,
        tou_accepted: None,
        cross_tenant_mfa_trust: None,
        token_protection: token_binding(r.token_binding.as_deref()),
        resource_ip: resource_ip_of(r.resource_ip.as_deref()),
        agent: r.agent_type.as_deref().map(AgentKind::parse),
    }
}

/// [`to_facts`] written over `out` (whatever it held before), reusing its strings and
/// vectors: the streaming replay keeps one `EventFacts` per thread, where building a fresh
/// one allocated about ten strings and vectors for every event, most of them only to be
/// compared with a cached key and freed. `to_facts` is its slow twin; the unit tests below
/// and tests/bench_agreement.rs check both give equal facts.
pub fn to_facts_into(r: &SignInRecord, out: &mut EventFacts) {
    // Every field is named (no `..`): a field added to `EventFacts` does not compile here
    // until it is written, so no event can inherit an earlier event's value.
    let EventFacts {
        kind,
        user_id,
        user_type: out_user_type,
        externality: out_externality,
        home_tenant_id,
        resource_tenant_id,
        service_principal_id,
        service_principal_in_tenant,
        app_id,
        resource_id,
        extra_audiences,
        audiences_logged,
        signed_in_at,
        user_action: out_user_action,
        auth_contexts,
        ip,
        country,
        platform: out_platform,
        client_app: out_client_app,
        device,
        sign_in_risk,
        user_risk,
        service_principal_risk,
        insider_risk,
        original_transfer_method,
        methods,
        mfa_claim,
        tou_accepted,
        cross_tenant_mfa_trust,
        token_protection,
        resource_ip,
        agent,
    } = out;
    let ut = user_type(r);
    *kind = event_kind(r.event_type);
    user_id.clone_from(&r.user_id);
    *out_user_type = ut;
    *out_externality = externality(r, ut);
    home_tenant_id.clone_from(&r.home_tenant_id);
    resource_tenant_id.clone_from(&r.resource_tenant_id);
    service_principal_id.clone_from(&r.sp_id);
    *service_principal_in_tenant = None;
    app_id.clone_from(&r.app_id);
    resource_id.clone_from(&r.resource_id);
    match &r.ca_audiences {
        Some(a) => extra_audiences.clone_from(a),
        None => extra_audiences.clear(),
    }
    *audiences_logged = r.ca_audiences.is_some();
    *signed_in_at = r.created_at;
    *out_user_action = user_action(r);
    auth_contexts_into(r, auth_contexts);
    *ip = r.ip.as_deref().and_then(parse_ip);
    country_into(r.country.as_deref(), country);
    *out_platform = platform(r.os_raw.as_deref(), r.user_agent.as_deref());
    *out_client_app = r.client_app_raw.as_deref().and_then(client_app);
    device_into(r, device);
    *sign_in_risk = r.sign_in_risk.as_deref().and_then(risk);
    *user_risk = None;
    *service_principal_risk = None;
    *insider_risk = None;
    *original_transfer_method = r.original_transfer_method.as_deref().and_then(transfer);
    methods_into(r, methods);
    *mfa_claim = r.mfa_satisfied;
    *tou_accepted = None;
    *cross_tenant_mfa_trust = None;
    *token_protection = token_binding(r.token_binding.as_deref());
    *resource_ip = resource_ip_of(r.resource_ip.as_deref());
    *agent = r.agent_type.as_deref().map(AgentKind::parse);
}

/// The IP the resource saw: `Some(None)` when the export says "the same" (blank), `None`
/// when it does not say or the value is not an IP (then CAE strict location is Unknown).
fn resource_ip_of(raw: Option<&str>) -> Option<Option<std::net::IpAddr>> {
    let s = raw?.trim();
    if s.is_empty() {
        return Some(None);
    }
    parse_ip(s).map(Some)
}

/// Token protection's session binding (concept-token-protection.md): `bound` / `unbound`;
/// `none` and newer values are not a binding careplay can rely on, so Unknown.
fn token_binding(raw: Option<&str>) -> Option<crate::model::TokenBinding> {
    match raw?.trim() {
        s if s.eq_ignore_ascii_case("bound") => Some(crate::model::TokenBinding::Bound),
        s if s.eq_ignore_ascii_case("unbound") => Some(crate::model::TokenBinding::Unbound),
        _ => None,
    }
}

/// `Some(s)` in `out`, reusing its string when it has one.
fn set_text(out: &mut Option<String>, s: &str) {
    match out {
        Some(o) => {
            o.clear();
            o.push_str(s);
        }
        None => *out = Some(s.to_owned()),
    }
}

fn country_into(raw: Option<&str>, out: &mut Option<Country>) {
    let Some(c) = raw else {
        *out = None;
        return;
    };
    let c = text::trim(c);
    if c.is_empty() {
        *out = Some(Country::NoCountry);
        return;
    }
    match out {
        Some(Country::Code(code)) => {
            code.clear();
            code.push_str(c);
            code.make_ascii_uppercase();
        }
        _ => *out = Some(Country::Code(c.to_ascii_uppercase())),
    }
}

fn device_into(r: &SignInRecord, out: &mut DeviceFacts) {
    // Every field named, as in `to_facts_into`.
    let DeviceFacts {
        registered,
        device_id,
        display_name,
        operating_system,
        is_compliant,
        is_managed,
        trust_type: out_trust_type,
    } = out;
    let id = r.device_id.as_deref();
    *registered = id.map(|d| !text::trim(d).is_empty());
    match id.filter(|d| !text::trim(d).is_empty()) {
        Some(d) => set_text(device_id, d),
        None => *device_id = None,
    }
    display_name.clone_from(&r.device_display_name);
    operating_system.clone_from(&r.os_raw);
    *is_compliant = r.device_is_compliant;
    *is_managed = r.device_is_managed;
    *out_trust_type = r.device_trust_type.as_deref().and_then(trust_type);
}

/// [`auth_contexts`] into `out`, reusing its vector and strings.
fn auth_contexts_into(r: &SignInRecord, out: &mut Option<Vec<String>>) {
    let Some(acrs) = r.acr_refs.as_ref() else {
        *out = None;
        return;
    };
    let v = out.get_or_insert_with(Vec::new);
    let mut n = 0;
    for a in acrs
        .iter()
        .filter(|a| is_auth_context(&a.id, a.detail.as_deref()))
    {
        match v.get_mut(n) {
            Some(s) => {
                s.clear();
                s.push_str(&a.id);
            }
            None => v.push(a.id.clone()),
        }
        n += 1;
    }
    v.truncate(n);
}

/// The method part of [`auth_methods`] into `out` (unknown labels are not facts).
fn methods_into(r: &SignInRecord, out: &mut Option<Vec<AuthMethod>>) {
    let Some(labels) = r.auth_methods.as_ref() else {
        *out = None;
        return;
    };
    let v = out.get_or_insert_with(Vec::new);
    v.clear();
    for m in labels.iter().filter_map(|l| auth_method(l)) {
        if !v.contains(&m) {
            v.push(m);
        }
    }
}

/// The logged user type (normalised to `member` / `guest` by the loader).
fn user_type(r: &SignInRecord) -> Option<UserType> {
    match r.user_type.as_deref() {
        Some("member") => Some(UserType::Member),
        Some("guest") => Some(UserType::Guest),
        _ => None,
    }
}

fn event_kind(t: EventType) -> Option<EventKind> {
    match t {
        EventType::InteractiveUser => Some(EventKind::Interactive),
        EventType::NonInteractiveUser => Some(EventKind::NonInteractive),
        EventType::ServicePrincipal => Some(EventKind::ServicePrincipal),
        EventType::ManagedIdentity => Some(EventKind::ManagedIdentity),
        EventType::Unknown => None,
    }
}

/// signin-logs.md §8.2 heuristic table. Cells the table does not cover stay unknown.
fn externality(r: &SignInRecord, user_type: Option<UserType>) -> Option<Externality> {
    if matches!(
        r.event_type,
        EventType::ServicePrincipal | EventType::ManagedIdentity
    ) {
        return None;
    }
    let cross_tenant = match (r.home_tenant_id.as_deref(), r.resource_tenant_id.as_deref()) {
        (Some(h), Some(res)) => Some(!h.eq_ignore_ascii_case(res)),
        _ => None,
    };
    // The logged flags, matched ignoring ASCII case (no lower-cased copies).
    let flags: &[String] = r.cross_tenant_access_type.as_deref().unwrap_or_default();
    let has = |f: &str| flags.iter().any(|x| x.eq_ignore_ascii_case(f));
    if has("b2bdirectconnect") {
        return Some(Externality::External(
            ExternalUserType::B2bDirectConnectUser,
        ));
    }
    if has("serviceprovider") {
        return Some(Externality::External(ExternalUserType::ServiceProvider));
    }
    if has("b2bcollaboration") {
        return match user_type? {
            UserType::Guest => Some(Externality::External(
                ExternalUserType::B2bCollaborationGuest,
            )),
            UserType::Member => Some(Externality::External(
                ExternalUserType::B2bCollaborationMember,
            )),
        };
    }
    let none_flag = flags.is_empty() || flags.iter().all(|f| f.eq_ignore_ascii_case("none"));
    if !none_flag {
        // microsoftSupport, passthrough, unknownFutureValue: not in the table.
        return None;
    }
    let logged_none = !flags.is_empty();
    match (user_type?, cross_tenant) {
        (UserType::Member, Some(false)) => Some(Externality::Internal),
        (UserType::Guest, Some(false)) => {
            Some(Externality::External(ExternalUserType::InternalGuest))
        }
        // "none / guest / home≠resource or unknown → otherExternalUser" — only when the
        // access type was actually logged as none.
        (UserType::Guest, _) if logged_none => {
            Some(Externality::External(ExternalUserType::OtherExternalUser))
        }
        _ => None,
    }
}

/// signin-logs.md §8.5 (the weakest mapping in the spec).
fn user_action(r: &SignInRecord) -> Option<Option<UserAction>> {
    let on_registration = on_registration_resource(r);
    match &r.acr_refs {
        Some(acrs) => {
            let required = acrs.iter().any(|a| {
                UserAction::parse(&a.id) == Some(UserAction::RegisterSecurityInfo)
                    && a.detail
                        .as_deref()
                        .is_some_and(|d| d.eq_ignore_ascii_case("required"))
            });
            match (required, on_registration) {
                (true, Some(true)) => Some(Some(UserAction::RegisterSecurityInfo)),
                // Required on DRS at an unknown time: before or after the 2026-07-06 change.
                (true, None) => None,
                _ => Some(None),
            }
        }
        // No ACR data: unknown where security info can be registered, known "no action"
        // elsewhere.
        None if on_registration != Some(false) => None,
        None => Some(None),
    }
}

/// Authentication context ids (`c1`…) logged as required or previously satisfied.
fn auth_contexts(r: &SignInRecord) -> Option<Vec<String>> {
    let acrs = r.acr_refs.as_ref()?;
    Some(
        acrs.iter()
            .filter(|a| is_auth_context(&a.id, a.detail.as_deref()))
            .map(|a| a.id.clone())
            .collect(),
    )
}

/// An ACR reference that names an authentication context (not a `urn:` user action) and
/// applied to the sign-in (detail not `notApplicable`).
fn is_auth_context(id: &str, detail: Option<&str>) -> bool {
    !id.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        && !detail.is_some_and(|d| d.eq_ignore_ascii_case("notApplicable"))
}

/// signin-logs.md §8.6: OS text (before the first digit), else the user agent.
pub fn platform(os: Option<&str>, user_agent: Option<&str>) -> Option<Platform> {
    if let Some(os) = os.map(str::trim).filter(|s| !s.is_empty()) {
        // The letters and digits before the first digit, lower-cased (trimming and
        // case-folding the head first, as the spec reads, changes nothing here).
        let head = &os[..os.find(|c: char| c.is_ascii_digit()).unwrap_or(os.len())];
        let mut buf = [0u8; 64];
        let squashed = values::squash(head, &mut buf);
        let p = if squashed.starts_with("windowsphone") {
            Some(Platform::WindowsPhone)
        } else if squashed.starts_with("windows") {
            Some(Platform::Windows)
        } else if squashed.starts_with("ios")
            || squashed.starts_with("ipados")
            || squashed.starts_with("iphone")
        {
            Some(Platform::Ios)
        } else if squashed.starts_with("macos") || squashed.starts_with("osx") {
            Some(Platform::MacOs)
        } else if squashed.starts_with("android") {
            Some(Platform::Android)
        } else if squashed.starts_with("linux") || squashed.starts_with("ubuntu") {
            Some(Platform::Linux)
        } else if squashed.starts_with("chrome") {
            Some(Platform::Unsupported)
        } else {
            None
        };
        if p.is_some() {
            return p;
        }
    }
    let ua = user_agent?;
    if ua.contains("Windows Phone") {
        Some(Platform::WindowsPhone)
    } else if ua.contains("Android") {
        Some(Platform::Android)
    } else if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
        Some(Platform::Ios)
    } else if ua.contains("Windows") {
        Some(Platform::Windows)
    } else if ua.contains("Macintosh") || ua.contains("Mac OS X") {
        Some(Platform::MacOs)
    } else if ua.contains("CrOS") {
        Some(Platform::Unsupported)
    } else if ua.contains("Linux") {
        Some(Platform::Linux)
    } else {
        None
    }
}

/// signin-logs.md §8.7; `Unknown`/empty/unrecognised stay unknown.
pub fn client_app(raw: &str) -> Option<ClientAppType> {
    let mut buf = [0u8; 64];
    let k = values::squash(raw, &mut buf);
    const LEGACY: &[&str] = &[
        "authenticatedsmtp",
        "smtp",
        "autodiscover",
        "exchangeonlinepowershell",
        "exchangewebservices",
        "imap4",
        "imap",
        "mapioverhttp",
        "mapi",
        "offlineaddressbook",
        "outlookanywhererpcoverhttp",
        "outlookservice",
        "pop3",
        "pop",
        "reportingwebservices",
        "universaloutlook",
        "otherclients",
        "otherclientsolderofficeclients",
    ];
    match k.as_ref() {
        "browser" => Some(ClientAppType::Browser),
        "mobileappsanddesktopclients" => Some(ClientAppType::MobileAppsAndDesktopClients),
        "exchangeactivesync" => Some(ClientAppType::ExchangeActiveSync),
        _ if LEGACY.contains(&k.as_ref()) => Some(ClientAppType::Other),
        _ => None,
    }
}

fn device(r: &SignInRecord) -> DeviceFacts {
    // signin-logs.md §8.8: deviceId "" = no registered device; missing booleans unknown.
    let registered = r.device_id.as_deref().map(|d| !text::trim(d).is_empty());
    DeviceFacts {
        registered,
        device_id: r.device_id.clone().filter(|d| !text::trim(d).is_empty()),
        display_name: r.device_display_name.clone(),
        operating_system: r.os_raw.clone(),
        is_compliant: r.device_is_compliant,
        is_managed: r.device_is_managed,
        trust_type: r.device_trust_type.as_deref().and_then(trust_type),
    }
}

/// Log trust type text → device-filter vocabulary (signin-logs.md §8.8).
pub fn trust_type(raw: &str) -> Option<TrustType> {
    let mut buf = [0u8; 64];
    match values::squash(raw, &mut buf).as_ref() {
        "azureadjoined" | "microsoftentrajoined" | "azuread" => Some(TrustType::AzureAd),
        "hybridazureadjoined" | "microsoftentrahybridjoined" | "serverad" => {
            Some(TrustType::ServerAd)
        }
        "azureadregistered" | "microsoftentraregistered" | "workplace" => {
            Some(TrustType::Workplace)
        }
        _ => None,
    }
}

pub(crate) fn risk(raw: &str) -> Option<RiskLevel> {
    let mut buf = [0u8; 64];
    match values::lower(text::trim(raw), &mut buf).as_ref() {
        "none" => Some(RiskLevel::None),
        "low" => Some(RiskLevel::Low),
        "medium" => Some(RiskLevel::Medium),
        "high" => Some(RiskLevel::High),
        "hidden" => Some(RiskLevel::Hidden),
        _ => None,
    }
}

pub(crate) fn transfer(raw: &str) -> Option<TransferMethod> {
    let mut buf = [0u8; 64];
    match values::lower(text::trim(raw), &mut buf).as_ref() {
        "none" => Some(TransferMethod::None),
        "devicecodeflow" => Some(TransferMethod::DeviceCodeFlow),
        "authenticationtransfer" => Some(TransferMethod::AuthenticationTransfer),
        _ => None,
    }
}

/// Logged method labels mapped to [`AuthMethod`]; labels with no mapping are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodMapping {
    pub methods: Vec<AuthMethod>,
    pub unknown_labels: Vec<String>,
}

/// Map `auth_methods` (evaluation.md §4.4 table, signin-logs.md §3.5, §8.10);
/// case-insensitive. `None` when the row logged no method information.
pub fn auth_methods(r: &SignInRecord) -> Option<MethodMapping> {
    let labels = r.auth_methods.as_ref()?;
    let mut out = MethodMapping::default();
    for l in labels {
        match auth_method(l) {
            Some(m) => {
                if !out.methods.contains(&m) {
                    out.methods.push(m);
                }
            }
            None => out.unknown_labels.push(l.clone()),
        }
    }
    Some(out)
}

/// One label → method.
pub fn auth_method(label: &str) -> Option<AuthMethod> {
    let mut buf = [0u8; 64];
    let k = values::lower(text::trim(label), &mut buf);
    let m = match k.as_ref() {
        "password"
        | "password in the cloud"
        | "password hash sync"
        | "phs"
        | "pta"
        | "pass-through authentication" => AuthMethod::Password,
        "text message" | "sms" => AuthMethod::Sms,
        "phone call" | "voice call" | "voice" => AuthMethod::Voice,
        "mobile app notification" | "authenticator app" | "microsoft authenticator app" => {
            AuthMethod::AuthenticatorPush
        }
        "oath verification code" | "mobile app verification code" | "app verification code" => {
            AuthMethod::Oath
        }
        "software oath token" => AuthMethod::SoftwareOath,
        "hardware oath token" => AuthMethod::HardwareOath,
        "microsoft authenticator passwordless" | "passwordless phone sign-in" | "phone sign-in" => {
            AuthMethod::PhoneSignIn
        }
        "windows hello for business" | "platform credential for macos" => {
            AuthMethod::WindowsHelloForBusiness
        }
        "temporary access pass" => AuthMethod::TemporaryAccessPass,
        "x.509 certificate" | "certificate" | "certificate-based authentication" => {
            AuthMethod::X509Certificate
        }
        "email one-time passcode" | "email otp" | "email" => AuthMethod::Email,
        "previously satisfied" | "satisfied by token" => AuthMethod::PreviouslySatisfied,
        "external authentication method" => AuthMethod::ExternalMethod,
        "federated single factor" => AuthMethod::FederatedSingleFactor,
        "federated multi-factor" | "federated multifactor" => AuthMethod::FederatedMultiFactor,
        _ if k.contains("fido") || k.starts_with("passkey") => AuthMethod::Fido2,
        _ => return None,
    };
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signin::schema::AcrRef;

    mod into_twin {
        //! `to_facts_into` over any earlier facts == `to_facts` (its slow twin).
        use super::*;
        use proptest::prelude::*;

        fn text(pool: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
            prop::option::of(prop::sample::select(pool).prop_map(str::to_owned))
        }

        fn texts(pool: &'static [&'static str]) -> impl Strategy<Value = Option<Vec<String>>> {
            prop::option::of(prop::collection::vec(
                prop::sample::select(pool).prop_map(str::to_owned),
                0..4,
            ))
        }

        fn acrs() -> impl Strategy<Value = Option<Vec<AcrRef>>> {
            let acr = (
                prop::sample::select(&["c1", "C2", "urn:user:registersecurityinfo", "c3"][..]),
                text(&[
                    "required",
                    "previouslySatisfied",
                    "notApplicable",
                    "NOTAPPLICABLE",
                ]),
            )
                .prop_map(|(id, detail)| AcrRef {
                    id: id.to_owned(),
                    detail,
                });
            prop::option::of(prop::collection::vec(acr, 0..4))
        }

        fn record() -> impl Strategy<Value = SignInRecord> {
            let ids = &["u-1", "U-2", "", " 9f3c-long-object-id-0000-000000000000 "][..];
            let tenants = &["t1", "T1", "t2"][..];
            let apps = &[
                MY_SIGNINS_APP_ID,
                "00000003-0000-0000-c000-000000000000",
                "",
            ][..];
            (
                (
                    text(ids),
                    text(&["member", "guest", "Guest", ""]),
                    text(tenants),
                    text(tenants),
                    text(ids),
                    text(apps),
                    text(apps),
                    texts(&["aud-1", "aud-2"]),
                ),
                (
                    acrs(),
                    text(&["10.0.0.1", "2001:db8::1", "not an ip", ""]),
                    text(&["us", "DE", " fr ", "", "  "]),
                    text(&["Windows 10", "iOS 17", "", "Linux"]),
                    text(&[
                        "Browser",
                        "Exchange ActiveSync",
                        "mobile apps and desktop clients",
                    ]),
                    text(&["", "  ", "dev-1", "DEV-2"]),
                    text(&["laptop", ""]),
                ),
                (
                    prop::option::of(any::<bool>()),
                    prop::option::of(any::<bool>()),
                    text(&["Azure AD joined", "Hybrid Azure AD joined", "odd"]),
                    text(&["none", "low", "High", "hidden"]),
                    text(&["deviceCodeFlow", "none", "x"]),
                    texts(&[
                        "Password",
                        "text message",
                        "Carrier pigeon",
                        "FIDO2 security key",
                    ]),
                    prop::option::of(any::<bool>()),
                ),
            )
                .prop_map(|(a, b, c)| {
                    let mut r = rec();
                    (
                        r.user_id,
                        r.user_type,
                        r.home_tenant_id,
                        r.resource_tenant_id,
                        r.sp_id,
                        r.app_id,
                        r.resource_id,
                        r.ca_audiences,
                    ) = a;
                    (
                        r.acr_refs,
                        r.ip,
                        r.country,
                        r.os_raw,
                        r.client_app_raw,
                        r.device_id,
                        r.device_display_name,
                    ) = b;
                    (
                        r.device_is_compliant,
                        r.device_is_managed,
                        r.device_trust_type,
                        r.sign_in_risk,
                        r.original_transfer_method,
                        r.auth_methods,
                        r.mfa_satisfied,
                    ) = c;
                    r
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            #[test]
            fn over_earlier_facts_equals_fresh_facts(a in record(), b in record()) {
                let mut f = to_facts(&a);
                to_facts_into(&b, &mut f);
                prop_assert_eq!(&f, &to_facts(&b));
                let mut blank = EventFacts::default();
                to_facts_into(&b, &mut blank);
                prop_assert_eq!(&blank, &to_facts(&b));
            }
        }
    }

    fn rec() -> SignInRecord {
        SignInRecord {
            event_id: "e".into(),
            created_at: None,
            record_time: None,
            event_type: EventType::InteractiveUser,
            log_category: None,
            is_interactive: Some(true),
            correlation_id: None,
            session_id: None,
            user_id: Some("u".into()),
            user_upn: None,
            user_display_name: None,
            user_type: None,
            cross_tenant_access_type: None,
            home_tenant_id: None,
            resource_tenant_id: None,
            app_id: None,
            app_display_name: None,
            resource_id: None,
            resource_display_name: None,
            sp_id: None,
            sp_name: None,
            ip: None,
            country: None,
            state: None,
            city: None,
            network_types: None,
            network_names: None,
            client_app_raw: None,
            os_raw: None,
            browser_raw: None,
            user_agent: None,
            device_id: None,
            device_display_name: None,
            device_is_compliant: None,
            device_is_managed: None,
            device_trust_type: None,
            sign_in_risk: None,
            auth_requirement: None,
            auth_methods: None,
            mfa_satisfied: None,
            auth_protocol: None,
            original_transfer_method: None,
            incoming_token_type: None,
            acr_refs: None,
            error_code: None,
            failure_reason: None,
            additional_details: None,
            ca_status: None,
            ca_policies: None,
            ca_audiences: None,
            msi_type: None,
            agent_type: None,
            resource_ip: None,
            token_binding: None,
            source_format: "graph-json".into(),
            source_file: "f".into(),
            source_line: None,
        }
    }

    fn acr(id: &str, detail: &str) -> AcrRef {
        AcrRef {
            id: id.into(),
            detail: Some(detail.into()),
        }
    }

    #[test]
    fn empty_record_is_all_unknown() {
        let f = to_facts(&rec());
        assert_eq!(f.kind, Some(EventKind::Interactive));
        assert_eq!(f.user_type, None);
        assert_eq!(f.externality, None);
        assert_eq!(f.ip, None);
        assert_eq!(f.country, None);
        assert_eq!(f.platform, None);
        assert_eq!(f.client_app, None);
        assert_eq!(f.device.registered, None);
        assert_eq!(f.methods, None);
        assert_eq!(f.mfa_claim, None);
        assert_eq!(f.auth_contexts, None);
        assert_eq!(
            f.user_action,
            Some(None),
            "no ACR data, not My Signins: known no action"
        );
        let mut u = rec();
        u.event_type = EventType::Unknown;
        assert_eq!(to_facts(&u).kind, None);
    }

    #[test]
    fn user_action_rules_8_5() {
        let mut r = rec();
        r.app_id = Some(MY_SIGNINS_APP_ID.into());
        assert_eq!(
            to_facts(&r).user_action,
            None,
            "My Signins without ACR: unknown"
        );
        r.acr_refs = Some(vec![acr("urn:user:registersecurityinfo", "required")]);
        assert_eq!(
            to_facts(&r).user_action,
            Some(Some(UserAction::RegisterSecurityInfo))
        );
        r.acr_refs = Some(vec![acr(
            "urn:user:registersecurityinfo",
            "previouslySatisfied",
        )]);
        assert_eq!(to_facts(&r).user_action, Some(None));
        r.acr_refs = Some(vec![]);
        assert_eq!(
            to_facts(&r).user_action,
            Some(None),
            "ACR list present without it"
        );
        // Device Registration Service (Windows Hello for Business / Platform SSO credential
        // registration): a registration only from 2026-07-06.
        let mut drs = rec();
        drs.app_id = Some(DRS_APP_ID.into());
        drs.acr_refs = Some(vec![acr("urn:user:registersecurityinfo", "required")]);
        drs.created_at = "2026-07-05T23:59:00Z".parse().ok();
        assert_eq!(to_facts(&drs).user_action, Some(None), "before 2026-07-06");
        drs.created_at = "2026-07-06T00:00:00Z".parse().ok();
        assert_eq!(
            to_facts(&drs).user_action,
            Some(Some(UserAction::RegisterSecurityInfo))
        );
        drs.created_at = None;
        assert_eq!(to_facts(&drs).user_action, None, "time unknown");
        drs.created_at = "2026-10-01T00:00:00Z".parse().ok();
        drs.acr_refs = None;
        assert_eq!(to_facts(&drs).user_action, None, "no ACR data on DRS");
        let mut other = rec();
        other.app_id = Some("27922004-5251-4030-b22d-91ecd9a37ea4".into());
        other.acr_refs = Some(vec![acr("urn:user:registersecurityinfo", "required")]);
        assert_eq!(
            to_facts(&other).user_action,
            Some(None),
            "not proof outside My Signins"
        );
    }

    #[test]
    fn auth_contexts_from_acr() {
        let mut r = rec();
        r.acr_refs = Some(vec![
            acr("urn:user:registerdevice", "required"),
            acr("c1", "required"),
            acr("c2", "notApplicable"),
            acr("c3", "previouslySatisfied"),
        ]);
        assert_eq!(
            to_facts(&r).auth_contexts,
            Some(vec!["c1".into(), "c3".into()])
        );
    }

    #[test]
    fn externality_heuristic_8_2() {
        let ext = |cross: Option<&str>, ut: Option<&str>, home: Option<&str>, res: Option<&str>| {
            let mut r = rec();
            r.cross_tenant_access_type =
                cross.map(|c| c.split(',').map(|s| s.to_string()).collect());
            r.user_type = ut.map(str::to_string);
            r.home_tenant_id = home.map(str::to_string);
            r.resource_tenant_id = res.map(str::to_string);
            to_facts(&r).externality
        };
        use ExternalUserType::*;
        let e = |t| Some(Externality::External(t));
        assert_eq!(
            ext(
                Some("b2bCollaboration"),
                Some("guest"),
                Some("a"),
                Some("b")
            ),
            e(B2bCollaborationGuest)
        );
        assert_eq!(
            ext(
                Some("b2bCollaboration"),
                Some("member"),
                Some("a"),
                Some("b")
            ),
            e(B2bCollaborationMember)
        );
        assert_eq!(
            ext(Some("b2bCollaboration"), None, Some("a"), Some("b")),
            None
        );
        assert_eq!(
            ext(Some("b2bDirectConnect"), None, Some("a"), Some("b")),
            e(B2bDirectConnectUser)
        );
        assert_eq!(
            ext(
                Some("serviceProvider"),
                Some("member"),
                Some("a"),
                Some("b")
            ),
            e(ServiceProvider)
        );
        assert_eq!(
            ext(Some("none"), Some("guest"), Some("a"), Some("a")),
            e(InternalGuest)
        );
        assert_eq!(
            ext(Some("none"), Some("guest"), Some("a"), Some("b")),
            e(OtherExternalUser)
        );
        assert_eq!(
            ext(Some("none"), Some("guest"), None, None),
            e(OtherExternalUser)
        );
        assert_eq!(
            ext(Some("none"), Some("member"), Some("a"), Some("a")),
            Some(Externality::Internal)
        );
        assert_eq!(
            ext(Some("none"), Some("member"), Some("a"), Some("b")),
            None
        );
        assert_eq!(
            ext(None, None, Some("a"), Some("a")),
            None,
            "v1.0: no userType"
        );
        assert_eq!(
            ext(None, Some("guest"), Some("a"), Some("b")),
            None,
            "access type not logged"
        );
        assert_eq!(
            ext(
                Some("microsoftSupport"),
                Some("guest"),
                Some("a"),
                Some("b")
            ),
            None
        );
    }

    #[test]
    fn ip_and_country() {
        let mut r = rec();
        r.ip = Some("[2001:db8::1]:443".into());
        r.country = Some("".into());
        let f = to_facts(&r);
        assert_eq!(f.ip.map(|i| i.to_string()), Some("2001:db8::1".into()));
        assert_eq!(f.country, Some(Country::NoCountry));
        r.ip = Some("::ffff:10.1.2.3".into());
        r.country = Some("de".into());
        let f = to_facts(&r);
        assert_eq!(f.ip.map(|i| i.to_string()), Some("10.1.2.3".into()));
        assert_eq!(f.country, Some(Country::Code("DE".into())));
    }

    #[test]
    fn platform_8_6() {
        let p = |os: &str| platform(Some(os), None);
        assert_eq!(p("Windows 10"), Some(Platform::Windows));
        assert_eq!(p("Windows10"), Some(Platform::Windows));
        assert_eq!(p("Windows Server 2019"), Some(Platform::Windows));
        assert_eq!(p("Windows Phone 8.1"), Some(Platform::WindowsPhone));
        assert_eq!(p("Ios 18.2.1"), Some(Platform::Ios));
        assert_eq!(p("iPadOS"), Some(Platform::Ios));
        assert_eq!(p("MacOs"), Some(Platform::MacOs));
        assert_eq!(p("Mac OS X"), Some(Platform::MacOs));
        assert_eq!(p("Android"), Some(Platform::Android));
        assert_eq!(p("Ubuntu"), Some(Platform::Linux));
        assert_eq!(p("Chrome OS"), Some(Platform::Unsupported));
        assert_eq!(p("Symbian"), None);
        assert_eq!(
            platform(Some(""), Some("Mozilla/5.0 (Linux; Android 14; Pixel 8)")),
            Some(Platform::Android),
            "empty OS falls back to the user agent"
        );
        assert_eq!(platform(None, Some("curl/8.0")), None);
    }

    #[test]
    fn client_app_8_7() {
        assert_eq!(client_app("Browser"), Some(ClientAppType::Browser));
        assert_eq!(
            client_app("Mobile Apps and Desktop clients"),
            Some(ClientAppType::MobileAppsAndDesktopClients)
        );
        assert_eq!(
            client_app("Exchange Active Sync"),
            Some(ClientAppType::ExchangeActiveSync)
        );
        assert_eq!(client_app("IMAP4"), Some(ClientAppType::Other));
        assert_eq!(
            client_app("Outlook Anywhere (RPC over HTTP)"),
            Some(ClientAppType::Other)
        );
        assert_eq!(
            client_app("Other clients; Older Office clients"),
            Some(ClientAppType::Other)
        );
        assert_eq!(
            client_app("Unknown"),
            None,
            "never silently mapped to other"
        );
        assert_eq!(client_app(""), None);
    }

    #[test]
    fn device_8_8_and_risk_and_transfer() {
        let mut r = rec();
        r.device_id = Some("".into());
        r.device_trust_type = Some("Hybrid Azure AD joined".into());
        r.sign_in_risk = Some("hidden".into());
        r.original_transfer_method = Some("deviceCodeFlow".into());
        let f = to_facts(&r);
        assert_eq!(f.device.registered, Some(false));
        assert_eq!(f.device.device_id, None);
        assert_eq!(
            f.device.is_compliant, None,
            "missing compliance is not false"
        );
        assert_eq!(f.device.trust_type, Some(TrustType::ServerAd));
        assert_eq!(f.sign_in_risk, Some(RiskLevel::Hidden));
        assert_eq!(
            f.original_transfer_method,
            Some(TransferMethod::DeviceCodeFlow)
        );
        r.device_id = Some("d-1".into());
        r.device_is_compliant = Some(true);
        r.device_trust_type = Some("Microsoft Entra registered".into());
        let f = to_facts(&r);
        assert_eq!(
            (f.device.registered, f.device.is_compliant),
            (Some(true), Some(true))
        );
        assert_eq!(f.device.trust_type, Some(TrustType::Workplace));
        assert_eq!(trust_type("AzureAD"), Some(TrustType::AzureAd));
    }

    #[test]
    fn auth_methods_mapping_counts_unknown_labels() {
        let mut r = rec();
        r.auth_methods = Some(vec![
            "Password".into(),
            "text message".into(),
            "FIDO2 security key".into(),
            "Passkey (device-bound)".into(),
            "Temporary Access Pass".into(),
            "Previously satisfied".into(),
            "Carrier pigeon".into(),
        ]);
        r.mfa_satisfied = Some(true);
        let m = auth_methods(&r).unwrap();
        assert_eq!(
            m.methods,
            vec![
                AuthMethod::Password,
                AuthMethod::Sms,
                AuthMethod::Fido2,
                AuthMethod::TemporaryAccessPass,
                AuthMethod::PreviouslySatisfied
            ]
        );
        assert_eq!(m.unknown_labels, vec!["Carrier pigeon".to_string()]);
        let f = to_facts(&r);
        assert_eq!(f.methods.as_ref().map(Vec::len), Some(5));
        assert_eq!(f.mfa_claim, Some(true));
        r.auth_methods = Some(vec![]);
        assert_eq!(
            to_facts(&r).methods,
            Some(vec![]),
            "logged and empty is known"
        );
    }
}
