//! `careplay fetch TENANT_DIR`: write a tenant folder from Microsoft Graph (and the
//! sign-ins from Graph or a Log Analytics workspace).

use std::io::Write;
use std::path::PathBuf;

use careplay::fetch::{self, auth::AuthPlan, http::Retry, Kind, Plan, SigninSource};
use chrono::{DateTime, Utc};

use super::{CmdResult, EXIT_OK};

#[derive(clap::Args, Debug)]
#[command(
    about = "Write a tenant folder from Microsoft Graph: policies, named locations, \
authentication strengths, cross-tenant access settings, sign-ins and a directory snapshot",
    after_help = "Tokens: --token-file, or --client-id + --tenant-id with the secret in \
CAREPLAY_CLIENT_SECRET, or CAREPLAY_GRAPH_TOKEN (CAREPLAY_LOG_ANALYTICS_TOKEN for \
--from-log-analytics), or `az account get-access-token` when the Azure CLI is on PATH. Tokens \
are never printed or written.\n\
Graph permissions: Policy.Read.All (policies, locations, strengths, cross-tenant), \
AuditLog.Read.All (sign-ins), User.Read.All + GroupMember.Read.All, Application.Read.All, \
Device.Read.All (directory; or Directory.Read.All for all three).\n\
Resume: progress is saved in TENANT_DIR/fetch-state.json after every page; run the same \
command again to continue, --restart to start the window over.\n\
Exit codes: 0 ok; 2 usage, authentication, permission (the missing permission is named) or \
network error.\n\
Example: careplay fetch tenant --since 7d && careplay replay tenant --promote all-report-only"
)]
pub struct Args {
    /// Folder to write (created if missing; its fetched parts are replaced).
    pub tenant_dir: PathBuf,
    /// Start of the sign-in window: RFC 3339 (2026-10-01T00:00:00Z), a date (UTC
    /// midnight), or an age (7d, 12h).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<TimeArg>,
    /// End of the window (exclusive); default now, or the saved window's end on a resume.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<TimeArg>,
    /// Sign-in kinds to fetch.
    #[arg(long, value_delimiter = ',', value_name = "KIND",
          default_value = "interactive,non-interactive,service-principal,managed-identity",
          value_parser = ["interactive", "non-interactive", "service-principal", "managed-identity"])]
    pub kinds: Vec<String>,
    /// Fetch no sign-ins (a signins/ already in the folder is kept and used).
    #[arg(long, conflicts_with = "from_log_analytics")]
    pub no_signins: bool,
    /// Read the sign-ins from this Log Analytics workspace (id from its Properties blade)
    /// instead of Graph: SigninLogs, AADNonInteractiveUserSignInLogs,
    /// AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs.
    #[arg(long, value_name = "WORKSPACE_ID")]
    pub from_log_analytics: Option<String>,
    /// Hours per Log Analytics query (halved automatically when a result hits the API's
    /// limits).
    #[arg(long, value_name = "HOURS", default_value_t = 6)]
    pub log_analytics_chunk_hours: u32,
    /// Do not write directory.json.
    #[arg(long)]
    pub no_directory: bool,
    /// Forget the saved sign-in progress and fetch the window again.
    #[arg(long)]
    pub restart: bool,
    /// File holding a Graph bearer token (or the JSON `az account get-access-token` prints).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// File holding a Log Analytics bearer token.
    #[arg(long, value_name = "FILE")]
    pub log_analytics_token_file: Option<PathBuf>,
    /// App (client) id for client credentials; the secret is read from CAREPLAY_CLIENT_SECRET.
    #[arg(long, value_name = "ID", requires = "tenant_id")]
    pub client_id: Option<String>,
    /// Directory (tenant) id: for --client-id and az, and directory.json's tenantId.
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,
    /// Never run the Azure CLI for a token.
    #[arg(long)]
    pub no_az: bool,
    /// National cloud: sets the Graph, login and Log Analytics endpoints.
    #[arg(long, default_value = "global", value_parser = ["global", "usgov", "china"])]
    pub cloud: String,
    /// Graph endpoint (overrides --cloud).
    #[arg(long, value_name = "URL")]
    pub graph_url: Option<String>,
    /// Login endpoint for client credentials (overrides --cloud).
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    /// Log Analytics query endpoint (overrides --cloud).
    #[arg(long, value_name = "URL")]
    pub log_analytics_url: Option<String>,
    /// Longest wait before a retry, in seconds (Retry-After included).
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub max_retry_wait: f64,
    /// Attempts per request (429, 5xx and dropped connections are retried).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub max_attempts: u32,
}

/// (Graph, login, Log Analytics) of a cloud
/// (https://learn.microsoft.com/graph/deployments#microsoft-graph-and-graph-explorer-service-root-endpoints,
/// https://learn.microsoft.com/azure/azure-monitor/logs/api/access-api).
fn cloud(name: &str) -> (&'static str, &'static str, &'static str) {
    match name {
        "usgov" => (
            "https://graph.microsoft.us",
            "https://login.microsoftonline.us",
            "https://api.loganalytics.us",
        ),
        "china" => (
            "https://microsoftgraph.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
            "https://api.loganalytics.azure.cn",
        ),
        _ => (
            "https://graph.microsoft.com",
            "https://login.microsoftonline.com",
            "https://api.loganalytics.io",
        ),
    }
}

/// A time flag: the instant, and whether it was given as an age (relative to now).
#[derive(Debug, Clone, Copy)]
pub struct TimeArg {
    pub at: DateTime<Utc>,
    pub is_age: bool,
}

/// RFC 3339, a date (UTC midnight), or an age before now (`7d`, `12h`, `30m`).
pub fn parse_time(s: &str) -> Result<TimeArg, String> {
    // One parser for every time flag (replay's filters too).
    Ok(TimeArg {
        at: careplay::replay::filter::parse_time(s, false, Utc::now())?,
        is_age: careplay::replay::filter::parse_age(s).is_some(),
    })
}

pub fn run(args: &Args, quiet: bool, out: &mut dyn Write) -> CmdResult {
    let (graph, login, la) = cloud(&args.cloud);
    if !(args.max_retry_wait.is_finite() && args.max_retry_wait >= 0.0) {
        return Err("--max-retry-wait must be a number of seconds, 0 or more".into());
    }
    let source = if args.no_signins {
        SigninSource::None
    } else if let Some(ws) = &args.from_log_analytics {
        SigninSource::LogAnalytics {
            workspace: ws.clone(),
            chunk: chrono::Duration::hours(i64::from(args.log_analytics_chunk_hours.max(1))),
        }
    } else {
        SigninSource::Graph
    };
    let plan = Plan {
        dir: args.tenant_dir.clone(),
        graph_url: args.graph_url.clone().unwrap_or_else(|| graph.into()),
        log_analytics_url: args.log_analytics_url.clone().unwrap_or_else(|| la.into()),
        auth: AuthPlan {
            graph_token_file: args.token_file.clone(),
            log_analytics_token_file: args.log_analytics_token_file.clone(),
            client_id: args.client_id.clone(),
            tenant_id: args.tenant_id.clone(),
            login_url: args.login_url.clone().unwrap_or_else(|| login.into()),
            no_az: args.no_az,
        },
        retry: Retry {
            attempts: args.max_attempts.max(1),
            max_wait: std::time::Duration::from_secs_f64(args.max_retry_wait.min(86_400.0)),
            ..Retry::default()
        },
        source,
        since: args.since.as_ref().map(|t| t.at),
        since_is_age: args.since.as_ref().is_some_and(|t| t.is_age),
        until: args.until.as_ref().map(|t| t.at),
        kinds: args.kinds.iter().filter_map(|k| Kind::parse(k)).collect(),
        restart: args.restart,
        no_directory: args.no_directory,
    };
    let progress = |line: &str| {
        if !quiet {
            eprintln!("careplay fetch: {line}");
        }
    };
    let s = fetch::run(&plan, &progress)?;
    let dir = args.tenant_dir.display();
    writeln!(out, "fetched tenant folder {dir}")?;
    writeln!(
        out,
        "  {} policies, {} named locations, {} authentication strengths, cross-tenant default + {} partners",
        s.config.policies, s.config.locations, s.config.strengths, s.config.partners
    )?;
    if let Some((what, n)) = &s.signins {
        writeln!(out, "  {n} sign-ins ({what})")?;
    }
    if let Some(d) = &s.directory {
        writeln!(
            out,
            "  directory: {} users ({} not found), {} groups ({} not found), {} service principals, {} devices ({} not found)",
            d.users, d.users_missing, d.groups, d.groups_missing, d.service_principals, d.devices, d.devices_missing
        )?;
    }
    for n in &s.notes {
        writeln!(out, "  note: {n}")?;
    }
    writeln!(out, "next: careplay replay {dir} --promote all-report-only")?;
    Ok(EXIT_OK)
}
