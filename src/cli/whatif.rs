//! `careplay whatif`: one hypothetical sign-in against a tenant snapshot, like the
//! portal's What If tool but offline, with every policy's result and why.

use std::io::Write;
use std::net::IpAddr;

use careplay::engine::{EventResult, PolicyState};
use careplay::model::{
    AuthMethod, ClientAppType, Country, DeviceFacts, EventFacts, EventKind, ExternalUserType,
    Externality, Platform, RiskLevel, TransferMethod, TrustType, UserAction, UserType,
};
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
    /// Service principal object id (a workload-identity sign-in).
    #[arg(long, conflicts_with = "user")]
    pub service_principal: Option<String>,
    /// Guest/external type when the user is not in the directory (e.g. b2bCollaborationGuest).
    #[arg(long)]
    pub external_type: Option<String>,
    /// Home tenant id of an external user.
    #[arg(long)]
    pub home_tenant: Option<String>,
    /// Resource (token audience) app id.
    #[arg(long)]
    pub app: Option<String>,
    /// Client app id (defaults to the resource).
    #[arg(long)]
    pub client_id: Option<String>,
    /// User action: registersecurityinfo | registerdevice (or the urn:user:… form).
    #[arg(long)]
    pub user_action: Option<String>,
    /// Authentication context ids requested (c1…c99). Repeatable.
    #[arg(long = "auth-context")]
    pub auth_context: Vec<String>,
    #[arg(long)]
    pub ip: Option<IpAddr>,
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
    #[arg(long)]
    pub device_compliant: Option<bool>,
    /// AzureAD | ServerAD | Workplace
    #[arg(long)]
    pub device_trust: Option<String>,
    /// none | low | medium | high
    #[arg(long)]
    pub sign_in_risk: Option<String>,
    #[arg(long)]
    pub user_risk: Option<String>,
    /// Methods completed in the session, comma-separated log labels or modes
    /// (password, sms, tap, fido2, whfb, push, phoneSignIn, oath, …).
    #[arg(long, value_delimiter = ',')]
    pub methods: Vec<String>,
    /// The session already carries an MFA claim.
    #[arg(long)]
    pub mfa_claim: Option<bool>,
    /// deviceCodeFlow | authenticationTransfer | none
    #[arg(long)]
    pub transfer_method: Option<String>,
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
    if args.home_tenant.is_some() {
        f.home_tenant_id = args.home_tenant.clone();
    }
    f.resource_tenant_id = tenant.directory.as_ref().and_then(|d| d.tenant_id.clone());
    f.resource_id = args.app.clone();
    f.app_id = args.client_id.clone().or_else(|| args.app.clone());
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
        is_compliant: args.device_compliant,
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
        ..DeviceFacts::default()
    };
    if f.device.registered == Some(false) {
        f.device.is_compliant.get_or_insert(false);
    }
    f.sign_in_risk = args.sign_in_risk.as_deref().map(risk).transpose()?;
    f.user_risk = args.user_risk.as_deref().map(risk).transpose()?;
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
    let tenant = Tenant::load_with("tenant", &paths, overrides.options())?;
    let skipped = tenant.skipped_lines();
    super::replay::warn_inputs(&skipped, &tenant.notes);
    let f = facts(args, &tenant)?;
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
