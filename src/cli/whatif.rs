//! `careplay whatif`: one hypothetical sign-in against a tenant snapshot, like the
//! portal's What If tool but offline, with every policy's result and why.

use std::io::Write;
use std::net::IpAddr;

use careplay::engine::{EventResult, PolicyState};
use careplay::model::{
    AuthMethod, ClientAppType, Country, DeviceFacts, EventFacts, EventKind, ExternalUserType,
    Externality, InsiderRisk, Platform, RiskLevel, TokenBinding, TransferMethod, TrustType,
    UserAction, UserType,
};
use careplay::policy::directory::DirDevice;
use careplay::replay::{self, Changes, Selector, Tenant, TenantPaths};

use super::replay::TenantArgs;
use super::{CmdResult, EXIT_OK};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: careplay whatif datasets/seed-registration --user guest1@fabrikam.example \
--user-action registersecurityinfo --ip 198.51.100.7 --methods password"
)]
pub struct Args {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// User object id or UPN (looked up in the directory snapshot).
    #[arg(long)]
    pub user: Option<String>,
    /// member | guest, when the user is not in the directory snapshot.
    #[arg(long)]
    pub user_type: Option<String>,
    /// Service principal object id (a workload-identity sign-in).
    #[arg(long, conflicts_with = "user")]
    pub service_principal: Option<String>,
    /// Whether the service principal is single-tenant and owned here (default: from the
    /// directory snapshot).
    #[arg(long)]
    pub service_principal_in_tenant: Option<bool>,
    /// none | low | medium | high (workload identity risk).
    #[arg(long)]
    pub service_principal_risk: Option<String>,
    /// Guest/external type when the user is not in the directory (e.g. b2bCollaborationGuest).
    #[arg(long)]
    pub external_type: Option<String>,
    /// Home tenant id of an external user.
    #[arg(long)]
    pub home_tenant: Option<String>,
    /// Resource tenant id (default: the directory snapshot's tenantId).
    #[arg(long)]
    pub resource_tenant: Option<String>,
    /// The resource tenant trusts the guest's home-tenant MFA (cross-tenant inbound trust).
    #[arg(long)]
    pub cross_tenant_mfa_trust: Option<bool>,
    /// Resource (token audience) app id.
    #[arg(long)]
    pub app: Option<String>,
    /// Client app id (defaults to the resource).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Extra audiences Entra evaluated (beta `conditionalAccessAudiences`). Repeatable.
    #[arg(long = "audience")]
    pub audience: Vec<String>,
    /// The --audience list is everything Entra evaluated, as a beta export logs it: a
    /// service the resource binds early and that is not listed was not involved. Without
    /// it, such early-bound dependencies are Unknown
    /// (https://learn.microsoft.com/entra/identity/conditional-access/service-dependencies).
    #[arg(long)]
    pub audiences_logged: bool,
    /// When the sign-in happens (RFC 3339; dated rules such as the baseline-scope rollout
    /// read it). Default: not known.
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// Whether the token subject is an agent, as beta sign-ins log it (`agent.agentType`):
    /// notAgentic | agenticAppInstance (agent identity) | agentIDuser (agent user) |
    /// agenticApp (blueprint). Default: not known.
    #[arg(long, value_name = "TYPE")]
    pub agent_type: Option<String>,
    /// User action: registersecurityinfo | registerdevice (or the urn:user:… form).
    #[arg(long)]
    pub user_action: Option<String>,
    /// Authentication context ids requested (c1…c99). Repeatable.
    #[arg(long = "auth-context")]
    pub auth_context: Vec<String>,
    #[arg(long)]
    pub ip: Option<IpAddr>,
    /// The IP the resource saw (CAE strict location), or `same` for the --ip.
    #[arg(long)]
    pub resource_ip: Option<String>,
    /// Token protection status of the session: bound | unbound.
    #[arg(long)]
    pub token_protection: Option<String>,
    /// Two-letter country code; `unknown` for an IP with no country.
    #[arg(long)]
    pub country: Option<String>,
    /// android | iOS | windows | macOS | linux | windowsPhone | other
    #[arg(long)]
    pub platform: Option<String>,
    /// browser | mobileAppsAndDesktopClients | exchangeActiveSync | other
    #[arg(long, default_value = "browser")]
    pub client_app: String,
    /// interactive | nonInteractive
    #[arg(long, default_value = "interactive")]
    pub kind: String,
    /// Device registered in Entra (omit for unknown).
    #[arg(long)]
    pub device_registered: Option<bool>,
    /// The device's deviceId (joins to `devices` in the directory snapshot).
    #[arg(long)]
    pub device_id: Option<String>,
    #[arg(long)]
    pub device_name: Option<String>,
    /// Device operating system as the log names it (Windows10, iOS, …).
    #[arg(long)]
    pub device_os: Option<String>,
    #[arg(long)]
    pub device_compliant: Option<bool>,
    #[arg(long)]
    pub device_managed: Option<bool>,
    /// AzureAD | ServerAD | Workplace
    #[arg(long)]
    pub device_trust: Option<String>,
    /// Device-object attributes that only the directory snapshot holds (filter for
    /// devices); each overrides the snapshot's device with --device-id.
    #[arg(long)]
    pub device_model: Option<String>,
    #[arg(long)]
    pub device_manufacturer: Option<String>,
    #[arg(long)]
    pub device_os_version: Option<String>,
    #[arg(long)]
    pub device_enrollment_profile: Option<String>,
    /// Company | Personal
    #[arg(long)]
    pub device_ownership: Option<String>,
    #[arg(long)]
    pub device_mdm_app_id: Option<String>,
    /// RegisteredDevice | SecureVM | Printer | Shared | IoT
    #[arg(long)]
    pub device_profile_type: Option<String>,
    /// Repeatable.
    #[arg(long = "device-physical-id")]
    pub device_physical_id: Vec<String>,
    /// Repeatable.
    #[arg(long = "device-system-label")]
    pub device_system_label: Vec<String>,
    /// `N=value` for extensionAttributeN (1…15). Repeatable.
    #[arg(long = "device-extension-attribute")]
    pub device_extension_attribute: Vec<String>,
    /// none | low | medium | high
    #[arg(long)]
    pub sign_in_risk: Option<String>,
    #[arg(long)]
    pub user_risk: Option<String>,
    /// minor | moderate | elevated (Purview insider risk).
    #[arg(long)]
    pub insider_risk: Option<String>,
    /// Methods completed in the session, comma-separated log labels or modes
    /// (password, sms, tap, fido2, whfb, push, phoneSignIn, oath, …).
    #[arg(long, value_delimiter = ',')]
    pub methods: Vec<String>,
    /// The session already carries an MFA claim.
    #[arg(long)]
    pub mfa_claim: Option<bool>,
    /// Authentication flow: deviceCodeFlow | authenticationTransfer | none
    #[arg(long)]
    pub transfer_method: Option<String>,
    /// Terms-of-use agreement ids the user has accepted (default: from the directory
    /// snapshot). Repeatable.
    #[arg(long = "tou-accepted")]
    pub tou_accepted: Vec<String>,
    /// Also evaluate as if these policies were On (id, name or all-report-only).
    #[arg(long)]
    pub promote: Vec<String>,
}

fn risk(s: &str) -> Result<RiskLevel, String> {
    match s.to_ascii_lowercase().as_str() {
        "none" => Ok(RiskLevel::None),
        "low" => Ok(RiskLevel::Low),
        "medium" => Ok(RiskLevel::Medium),
        "high" => Ok(RiskLevel::High),
        "hidden" => Ok(RiskLevel::Hidden),
        _ => Err(format!(
            "risk level `{s}`: expected none, low, medium, high"
        )),
    }
}

fn method(s: &str) -> Result<AuthMethod, String> {
    let k: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Ok(match k.as_str() {
        "password" => AuthMethod::Password,
        "sms" | "textmessage" => AuthMethod::Sms,
        "voice" | "phonecall" => AuthMethod::Voice,
        "push" | "microsoftauthenticatorpush" | "mobileappnotification" => {
            AuthMethod::AuthenticatorPush
        }
        "oath" => AuthMethod::Oath,
        "softwareoath" => AuthMethod::SoftwareOath,
        "hardwareoath" => AuthMethod::HardwareOath,
        "phonesignin" | "devicebasedpush" | "passwordlessphonesignin" => AuthMethod::PhoneSignIn,
        "fido2" | "passkey" => AuthMethod::Fido2,
        "whfb" | "windowshelloforbusiness" => AuthMethod::WindowsHelloForBusiness,
        "tap" | "temporaryaccesspass" => AuthMethod::TemporaryAccessPass,
        "taponce" | "temporaryaccesspassonetime" => AuthMethod::TemporaryAccessPassOneTime,
        "tapmulti" | "temporaryaccesspassmultiuse" => AuthMethod::TemporaryAccessPassMultiUse,
        "x509" | "certificate" => AuthMethod::X509Certificate,
        "email" => AuthMethod::Email,
        "eam" | "external" => AuthMethod::ExternalMethod,
        _ => return Err(format!("method `{s}` not recognised")),
    })
}

fn platform(s: &str) -> Result<Platform, String> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "android" => Platform::Android,
        "ios" => Platform::Ios,
        "windows" => Platform::Windows,
        "windowsphone" => Platform::WindowsPhone,
        "macos" => Platform::MacOs,
        "linux" => Platform::Linux,
        "other" | "chromeos" => Platform::Unsupported,
        _ => return Err(format!("platform `{s}` not recognised")),
    })
}

fn client_app(s: &str) -> Result<ClientAppType, String> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "browser" => ClientAppType::Browser,
        "mobileappsanddesktopclients" | "modern" => ClientAppType::MobileAppsAndDesktopClients,
        "exchangeactivesync" | "eas" => ClientAppType::ExchangeActiveSync,
        "other" | "legacy" => ClientAppType::Other,
        _ => return Err(format!("client app `{s}` not recognised")),
    })
}

/// Build the facts of the hypothetical sign-in.
pub fn facts(args: &Args, tenant: &Tenant) -> Result<EventFacts, String> {
    let mut f = EventFacts {
        kind: Some(match args.kind.to_ascii_lowercase().as_str() {
            "interactive" => EventKind::Interactive,
            "noninteractive" => EventKind::NonInteractive,
            other => {
                return Err(format!(
                    "--kind `{other}`: expected interactive or nonInteractive"
                ))
            }
        }),
        ..EventFacts::default()
    };
    if let Some(sp) = &args.service_principal {
        f.kind = Some(EventKind::ServicePrincipal);
        f.service_principal_id = Some(sp.clone());
        f.service_principal_in_tenant = tenant
            .directory
            .as_ref()
            .map(|d| d.service_principal(sp).is_some());
    }
    if let Some(u) = &args.user {
        let dir_user = tenant.directory.as_ref().and_then(|d| {
            d.user(u).or_else(|| {
                d.users().find(|x| {
                    x.user_principal_name.as_deref().is_some_and(|p| {
                        p.eq_ignore_ascii_case(u) || external_upn(p).eq_ignore_ascii_case(u)
                    })
                })
            })
        });
        match dir_user {
            Some(du) => {
                f.user_id = Some(du.id.clone());
                let guest = du
                    .user_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("guest"));
                f.user_type = Some(if guest {
                    UserType::Guest
                } else {
                    UserType::Member
                });
                f.home_tenant_id = du.home_tenant_id.clone();
                f.externality = match du.external_user_type.as_deref() {
                    Some(t) => ExternalUserType::parse(t).map(Externality::External),
                    None if guest => None,
                    None => Some(Externality::Internal),
                };
                f.tou_accepted = du.tou_accepted.clone();
            }
            None => {
                eprintln!(
                    "careplay: user `{u}` is not in the directory snapshot: its groups, roles \
                     and guest type are unknown"
                );
                f.user_id = Some(u.clone());
            }
        }
    }
    if let Some(t) = &args.external_type {
        f.externality = Some(Externality::External(
            ExternalUserType::parse(t)
                .ok_or_else(|| format!("--external-type `{t}` not recognised"))?,
        ));
    }
    if let Some(t) = &args.user_type {
        f.user_type = Some(match t.to_ascii_lowercase().as_str() {
            "member" => UserType::Member,
            "guest" => UserType::Guest,
            _ => return Err(format!("--user-type `{t}`: expected member or guest")),
        });
    }
    if args.home_tenant.is_some() {
        f.home_tenant_id = args.home_tenant.clone();
    }
    if args.service_principal_in_tenant.is_some() {
        f.service_principal_in_tenant = args.service_principal_in_tenant;
    }
    f.resource_tenant_id = args
        .resource_tenant
        .clone()
        .or_else(|| tenant.directory.as_ref().and_then(|d| d.tenant_id.clone()));
    f.cross_tenant_mfa_trust = args.cross_tenant_mfa_trust;
    f.resource_id = args.app.clone();
    f.app_id = args.client_id.clone().or_else(|| args.app.clone());
    f.extra_audiences = args.audience.clone();
    f.audiences_logged = args.audiences_logged;
    f.signed_in_at = match &args.time {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(t)
                .map_err(|e| format!("--time `{t}`: expected RFC 3339 ({e})"))?
                .with_timezone(&chrono::Utc),
        ),
    };
    f.agent = args
        .agent_type
        .as_deref()
        .map(careplay::model::AgentKind::parse);
    if !args.tou_accepted.is_empty() {
        f.tou_accepted = Some(args.tou_accepted.clone());
    }
    f.user_action = Some(match &args.user_action {
        None => None,
        Some(a) => {
            let urn = if a.starts_with("urn:") {
                a.clone()
            } else {
                format!("urn:user:{a}")
            };
            Some(
                UserAction::parse(&urn)
                    .ok_or_else(|| format!("--user-action `{a}` not recognised"))?,
            )
        }
    });
    f.auth_contexts = Some(args.auth_context.clone());
    f.ip = args.ip.map(|ip| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    });
    f.resource_ip = match args.resource_ip.as_deref().map(str::trim) {
        None => None,
        Some(s) if s.eq_ignore_ascii_case("same") => Some(None),
        Some(s) => Some(Some(s.parse::<IpAddr>().map_err(|e| {
            format!("--resource-ip `{s}`: {e} (an IP address, or `same`)")
        })?)),
    };
    f.token_protection = match args
        .token_protection
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
    {
        None => None,
        Some(t) if t == "bound" => Some(TokenBinding::Bound),
        Some(t) if t == "unbound" => Some(TokenBinding::Unbound),
        Some(t) => {
            return Err(format!(
                "--token-protection `{t}`: expected bound or unbound"
            ))
        }
    };
    f.country = args.country.as_ref().map(|c| {
        if c.eq_ignore_ascii_case("unknown") || c.is_empty() {
            Country::NoCountry
        } else {
            Country::Code(c.to_ascii_uppercase())
        }
    });
    f.platform = args.platform.as_deref().map(platform).transpose()?;
    f.client_app = Some(client_app(&args.client_app)?);
    f.device = DeviceFacts {
        registered: args.device_registered,
        device_id: args.device_id.clone(),
        display_name: args.device_name.clone(),
        operating_system: args.device_os.clone(),
        is_compliant: args.device_compliant,
        is_managed: args.device_managed,
        trust_type: match args.device_trust.as_deref().map(|s| s.to_ascii_lowercase()) {
            None => None,
            Some(t) if t == "azuread" => Some(TrustType::AzureAd),
            Some(t) if t == "serverad" => Some(TrustType::ServerAd),
            Some(t) if t == "workplace" => Some(TrustType::Workplace),
            Some(t) => {
                return Err(format!(
                    "--device-trust `{t}`: expected AzureAD, ServerAD or Workplace"
                ))
            }
        },
    };
    if f.device.registered == Some(false) {
        if f.device.device_id.is_some() || device_object_given(args) {
            return Err(
                "--device-registered false contradicts --device-id and the --device-* object \
                 attributes (an unregistered device has none)"
                    .into(),
            );
        }
        f.device.is_compliant.get_or_insert(false);
    }
    if f.device.device_id.is_none() && device_object_given(args) {
        // The engine joins device-object attributes by deviceId (the snapshot's key).
        f.device.device_id = Some(WHATIF_DEVICE_ID.into());
    }
    f.sign_in_risk = args.sign_in_risk.as_deref().map(risk).transpose()?;
    f.user_risk = args.user_risk.as_deref().map(risk).transpose()?;
    f.service_principal_risk = args
        .service_principal_risk
        .as_deref()
        .map(risk)
        .transpose()?;
    f.insider_risk = match args.insider_risk.as_deref().map(|s| s.to_ascii_lowercase()) {
        None => None,
        Some(r) if r == "minor" => Some(InsiderRisk::Minor),
        Some(r) if r == "moderate" => Some(InsiderRisk::Moderate),
        Some(r) if r == "elevated" => Some(InsiderRisk::Elevated),
        Some(r) => {
            return Err(format!(
                "--insider-risk `{r}`: expected minor, moderate or elevated"
            ))
        }
    };
    f.methods = Some(
        args.methods
            .iter()
            .map(|m| method(m))
            .collect::<Result<_, _>>()?,
    );
    f.mfa_claim = args.mfa_claim;
    f.original_transfer_method = match args
        .transfer_method
        .as_deref()
        .map(|s| s.to_ascii_lowercase())
    {
        None => None,
        Some(t) if t == "none" => Some(TransferMethod::None),
        Some(t) if t == "devicecodeflow" => Some(TransferMethod::DeviceCodeFlow),
        Some(t) if t == "authenticationtransfer" => Some(TransferMethod::AuthenticationTransfer),
        Some(t) => return Err(format!("--transfer-method `{t}` not recognised")),
    };
    Ok(f)
}

/// The deviceId whatif gives a device described only by --device-* object attributes.
const WHATIF_DEVICE_ID: &str = "whatif-device";

/// Whether any device-object attribute (the directory snapshot's part) was given.
fn device_object_given(a: &Args) -> bool {
    [
        &a.device_model,
        &a.device_manufacturer,
        &a.device_os_version,
        &a.device_enrollment_profile,
        &a.device_ownership,
        &a.device_mdm_app_id,
        &a.device_profile_type,
    ]
    .iter()
    .any(|v| v.is_some())
        || !a.device_physical_id.is_empty()
        || !a.device_system_label.is_empty()
        || !a.device_extension_attribute.is_empty()
}

/// The device object the flags describe, over the snapshot's device with the same
/// deviceId: the engine reads model, manufacturer, extension attributes … from the
/// directory snapshot only (one path, as in a replay). `None` when no such flag is given.
pub fn device_object(
    a: &Args,
    f: &EventFacts,
    tenant: &Tenant,
) -> Result<Option<DirDevice>, String> {
    if !device_object_given(a) {
        return Ok(None);
    }
    let id = f.device.device_id.clone().unwrap_or_default();
    let mut d = tenant
        .directory
        .as_ref()
        .and_then(|dir| dir.device(&id))
        .cloned()
        .unwrap_or_else(|| DirDevice {
            device_id: id,
            ..DirDevice::default()
        });
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            slot.clone_from(v);
        }
    };
    set(&mut d.model, &a.device_model);
    set(&mut d.manufacturer, &a.device_manufacturer);
    set(&mut d.operating_system_version, &a.device_os_version);
    set(&mut d.enrollment_profile_name, &a.device_enrollment_profile);
    set(&mut d.device_ownership, &a.device_ownership);
    set(&mut d.mdm_app_id, &a.device_mdm_app_id);
    set(&mut d.profile_type, &a.device_profile_type);
    if !a.device_physical_id.is_empty() {
        d.physical_ids.clone_from(&a.device_physical_id);
    }
    if !a.device_system_label.is_empty() {
        d.system_labels.clone_from(&a.device_system_label);
    }
    for kv in &a.device_extension_attribute {
        let (n, v) = kv.split_once('=').ok_or_else(|| {
            format!("--device-extension-attribute `{kv}`: expected N=value (N in 1…15)")
        })?;
        match n.trim().parse::<u8>() {
            Ok(k) if (1..=15).contains(&k) => {
                d.extension_attributes
                    .insert(format!("extensionAttribute{k}"), Some(v.to_string()));
            }
            _ => {
                return Err(format!(
                    "--device-extension-attribute `{kv}`: N must be 1…15"
                ))
            }
        }
    }
    Ok(Some(d))
}

/// `gina_fabrikam.example#EXT#@tenant.onmicrosoft.com` -> `gina@fabrikam.example`.
fn external_upn(upn: &str) -> String {
    match upn.split_once("#EXT#") {
        Some((local, _)) => match local.rfind('_') {
            Some(i) => format!("{}@{}", &local[..i], &local[i + 1..]),
            None => local.to_string(),
        },
        None => upn.to_string(),
    }
}

pub fn run(args: &Args, out: &mut dyn Write) -> CmdResult {
    let overrides = args.tenant.overrides();
    let paths = TenantPaths::resolve(args.tenant.tenant_dir.as_deref(), &overrides);
    let mut tenant = Tenant::load_with("tenant", &paths, overrides.options())?;
    let skipped = tenant.skipped_lines();
    super::replay::warn_inputs(&skipped, &tenant.notes);
    let f = facts(args, &tenant)?;
    if let Some(d) = device_object(args, &f, &tenant)? {
        let dir = tenant.directory.take().unwrap_or_default();
        tenant.directory = Some(dir.with_devices(vec![d]));
    }
    let changes = Changes {
        promote: args.promote.iter().map(|s| Selector::parse(s)).collect(),
        ..Changes::default()
    };
    let (candidate, log) = changes
        .apply(&tenant.policies)
        .map_err(replay::ReplayError::from)?;
    let set = tenant.compile(&candidate);
    let res: EventResult = set.evaluate(&f);
    writeln!(out, "What If (offline) — {} policies", set.policies().len())?;
    if !skipped.is_empty() {
        writeln!(
            out,
            "PARTIAL ANSWER: {} policy input(s) skipped by --keep-going (not evaluated):",
            skipped.len()
        )?;
        for s in &skipped {
            writeln!(out, "  skipped: {s}")?;
        }
    }
    for l in &log {
        writeln!(out, "  {l}")?;
    }
    writeln!(out)?;
    for state in [
        PolicyState::Enabled,
        PolicyState::ReportOnly,
        PolicyState::Disabled,
    ] {
        let label = match state {
            PolicyState::Enabled => "On",
            PolicyState::ReportOnly => "Report-only",
            PolicyState::Disabled => "Off",
        };
        for pr in &res.policies {
            let Some(p) = set.policies().get(pr.index) else {
                continue;
            };
            if p.state() != state {
                continue;
            }
            writeln!(out, "[{label}] {}", p.name())?;
            writeln!(out, "    {}", pr.explanation(&set))?;
            for n in pr.notes.lines() {
                writeln!(out, "    note: {n}")?;
            }
            let session = p.session_controls();
            if !session.is_empty() && pr.applies() {
                writeln!(out, "    session controls: {}", session.join(", "))?;
            }
            if let Some(l) = pr.logged_result(
                state,
                f.kind.map(|k| k == careplay::model::EventKind::Interactive),
            ) {
                writeln!(out, "    Entra would log: {l}")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "Decision (policies On): {}", res.explain(&set))?;
    Ok(EXIT_OK)
}
