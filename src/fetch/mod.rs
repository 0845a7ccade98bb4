//! `careplay fetch`: write a tenant folder (README "Tenant folder layout") from Microsoft
//! Graph, with the sign-ins from Graph or from a Log Analytics workspace, so `replay`,
//! `whatif` and `verify` read it as is.
//!
//! Order: the configuration parts (policies, named locations, authentication strengths,
//! cross-tenant access settings), then the sign-ins of the window (resumable, page by
//! page), then the directory snapshot of the users, groups and devices the policies and
//! the fetched logs name. Last, the folder is loaded the way `replay` loads it, so a shape
//! the loaders refuse fails here, not in the first replay.

pub mod auth;
pub mod error;
pub mod graph;
pub mod http;
pub mod log_analytics;
pub mod signins;
pub mod state;
pub mod write;

pub use error::FetchError;

use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A kind of sign-in (Graph `signInEventTypes`, a Log Analytics table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Interactive,
        Kind::NonInteractive,
        Kind::ServicePrincipal,
        Kind::ManagedIdentity,
    ];

    pub fn cli(self) -> &'static str {
        match self {
            Kind::Interactive => "interactive",
            Kind::NonInteractive => "non-interactive",
            Kind::ServicePrincipal => "service-principal",
            Kind::ManagedIdentity => "managed-identity",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.cli() == s.trim())
    }

    /// The Graph beta `signInEventTypes` value.
    pub fn graph_event_type(self) -> &'static str {
        match self {
            Kind::Interactive => "interactiveUser",
            Kind::NonInteractive => "nonInteractiveUser",
            Kind::ServicePrincipal => "servicePrincipal",
            Kind::ManagedIdentity => "managedIdentity",
        }
    }

    /// The Log Analytics table (azure-monitor-ref tables/signinlogs.md and siblings).
    pub fn la_table(self) -> &'static str {
        match self {
            Kind::Interactive => "SigninLogs",
            Kind::NonInteractive => "AADNonInteractiveUserSignInLogs",
            Kind::ServicePrincipal => "AADServicePrincipalSignInLogs",
            Kind::ManagedIdentity => "AADManagedIdentitySignInLogs",
        }
    }

    /// The folder under `signins/` (also the stream's key in the resume state).
    pub fn folder(self, source: &str) -> String {
        format!("{source}-{}", self.cli().replace('-', ""))
    }
}

/// The sign-in window: `since` inclusive, `until` exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub since_t: DateTime<Utc>,
    pub until_t: DateTime<Utc>,
    pub since: String,
    pub until: String,
}

impl Window {
    pub fn new(since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Window, FetchError> {
        if since >= until {
            return Err(FetchError::Usage(format!(
                "--since {} is not before --until {}",
                since.to_rfc3339_opts(SecondsFormat::Secs, true),
                until.to_rfc3339_opts(SecondsFormat::Secs, true)
            )));
        }
        Ok(Window {
            since_t: since,
            until_t: until,
            since: since.to_rfc3339_opts(SecondsFormat::Secs, true),
            until: until.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
    }
}

/// Where the sign-ins come from.
#[derive(Debug, Clone)]
pub enum SigninSource {
    /// Not fetched (`--no-signins`); a `signins/` already in the folder is kept.
    None,
    Graph,
    LogAnalytics {
        workspace: String,
        chunk: chrono::Duration,
    },
}

/// Everything a fetch needs, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Plan {
    pub dir: PathBuf,
    pub graph_url: String,
    pub log_analytics_url: String,
    pub auth: auth::AuthPlan,
    pub retry: http::Retry,
    pub source: SigninSource,
    /// `--since`; required when sign-ins are fetched.
    pub since: Option<DateTime<Utc>>,
    /// `--since` was an age (`7d`): a rerun that finds an unfinished fetch continues its
    /// window instead of computing a new one from the clock.
    pub since_is_age: bool,
    /// `--until`; default: the saved window's end on a resume, else now.
    pub until: Option<DateTime<Utc>>,
    pub kinds: Vec<Kind>,
    /// Forget the saved sign-in progress and fetch the window again.
    pub restart: bool,
    /// Skip the directory snapshot.
    pub no_directory: bool,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub config: graph::ConfigCounts,
    pub signins: Option<(String, u64)>,
    pub directory: Option<graph::DirectoryCounts>,
    pub notes: Vec<String>,
}

/// Run a fetch; `progress` receives one line per step (stderr in the CLI).
pub fn run(plan: &Plan, progress: &(dyn Fn(&str) + Sync)) -> Result<Summary, FetchError> {
    let dir = plan.dir.as_path();
    std::fs::create_dir_all(dir).map_err(|e| FetchError::io(dir, e))?;
    let base = plan.graph_url.trim_end_matches('/');
    let http = http::Http::new(plan.retry, progress);
    let token = auth::token(&plan.auth, auth::Audience::Graph, base, &http)?;
    let g = graph::Graph {
        http: &http,
        token: &token,
        base,
        dir,
        progress,
    };
    let mut summary = Summary {
        config: g.config()?,
        ..Summary::default()
    };
    summary.signins = fetch_signins(plan, &http, &token, progress)?;
    if !plan.no_directory {
        let mut wanted = wanted_from_policies(dir)?;
        wanted.tenant_id = plan
            .auth
            .tenant_id
            .clone()
            .or_else(|| auth::tenant_of(&token));
        logs_into(dir, &mut wanted, &mut summary.notes)?;
        summary.directory = Some(g.directory(&wanted)?);
    }
    check(dir, &mut summary)?;
    Ok(summary)
}

fn fetch_signins(
    plan: &Plan,
    http: &http::Http<'_>,
    graph_token: &auth::Secret,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Option<(String, u64)>, FetchError> {
    let source_name = match &plan.source {
        SigninSource::None => return Ok(None),
        SigninSource::Graph => "graph".to_string(),
        SigninSource::LogAnalytics { workspace, .. } => format!("log-analytics:{workspace}"),
    };
    let dir = plan.dir.as_path();
    let since = plan.since.ok_or_else(|| {
        FetchError::Usage("--since is required to fetch sign-ins (or pass --no-signins)".into())
    })?;
    let mut saved = state::load(dir)?;
    if plan.restart {
        remove_streams(dir)?;
        saved = None;
    }
    // An unfinished fetch started with `--since 7d` continues its own window.
    let resume_saved = plan.since_is_age
        && plan.until.is_none()
        && saved
            .as_ref()
            .is_some_and(|s| s.source == source_name && !s.streams.values().all(|x| x.done));
    let since = match (&saved, resume_saved) {
        (Some(s), true) => DateTime::parse_from_rfc3339(&s.since)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(since),
        _ => since,
    };
    let until = match (plan.until, &saved) {
        (Some(u), _) => u,
        // A resume keeps the window of the run it continues.
        (None, Some(s)) => DateTime::parse_from_rfc3339(&s.until)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now()),
        (None, None) => Utc::now(),
    };
    let window = Window::new(since, until)?;
    let mut st = match saved {
        Some(s) => {
            if s.source != source_name || s.since != window.since || s.until != window.until {
                return Err(FetchError::State {
                    path: state::path(dir),
                    message: format!(
                        "the folder holds sign-ins of another fetch ({} from {} to {}); fetch \
                         {} from {} to {} into a new folder, or pass --restart to replace them",
                        s.source, s.since, s.until, source_name, window.since, window.until
                    ),
                });
            }
            s
        }
        None => state::State {
            source: source_name.clone(),
            since: window.since.clone(),
            until: window.until.clone(),
            ..state::State::default()
        },
    };
    match &plan.source {
        SigninSource::None => {}
        SigninSource::Graph => signins::GraphSignins {
            http,
            token: graph_token,
            graph: plan.graph_url.trim_end_matches('/'),
            dir,
            progress,
        }
        .run(&window, &plan.kinds, &mut st)?,
        SigninSource::LogAnalytics { workspace, chunk } => {
            let endpoint = plan.log_analytics_url.trim_end_matches('/');
            let token = auth::token(&plan.auth, auth::Audience::LogAnalytics, endpoint, http)?;
            log_analytics::LogAnalytics {
                http,
                token: &token,
                endpoint,
                workspace,
                dir,
                chunk: *chunk,
                progress,
            }
            .run(&window, &plan.kinds, &mut st)?
        }
    }
    let records = st.streams.values().map(|s| s.records).sum();
    Ok(Some((
        format!("{source_name} from {} to {}", window.since, window.until),
        records,
    )))
}

/// `--restart`: the sign-in folders fetch writes, and the resume state.
fn remove_streams(dir: &Path) -> Result<(), FetchError> {
    let signins = dir.join("signins");
    if let Ok(entries) = std::fs::read_dir(&signins) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("graph-") || name.starts_with("la-") {
                std::fs::remove_dir_all(e.path()).map_err(|err| FetchError::io(e.path(), err))?;
            }
        }
    }
    let p = state::path(dir);
    if p.exists() {
        std::fs::remove_file(&p).map_err(|e| FetchError::io(&p, e))?;
    }
    Ok(())
}

/// The users and groups the fetched policies name (object ids; `All`, `None`,
/// `GuestsOrExternalUsers` are keywords, not objects).
fn wanted_from_policies(dir: &Path) -> Result<graph::Wanted, FetchError> {
    let load = crate::policy::load_policies(&[dir.join("policies")])
        .map_err(|e| FetchError::Check(e.to_string()))?;
    let mut w = graph::Wanted::default();
    let is_id = |s: &str| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    for p in &load.policies {
        let Some(u) = p.policy.conditions.as_ref().and_then(|c| c.users.as_ref()) else {
            continue;
        };
        for id in u.include_users.iter().chain(&u.exclude_users) {
            if is_id(id) {
                w.users.insert(id.to_ascii_lowercase());
            }
        }
        for id in u.include_groups.iter().chain(&u.exclude_groups) {
            if is_id(id) {
                w.groups.insert(id.to_ascii_lowercase());
            }
        }
    }
    Ok(w)
}

/// Users, devices and home tenants of the sign-ins in `signins/`, read by the loader
/// replay uses.
fn logs_into(dir: &Path, w: &mut graph::Wanted, notes: &mut Vec<String>) -> Result<(), FetchError> {
    let signins = dir.join("signins");
    if !signins.exists() {
        notes.push("no signins/: the directory snapshot covers the policies' users only".into());
        return Ok(());
    }
    let opts = crate::signin::LoadOptions::for_replay(None, false);
    let mut tenants = BTreeSet::new();
    let res = crate::signin::stream(&[signins], &opts, 100_000, |batch| {
        for r in batch {
            if let Some(u) = r.user_id.as_deref().filter(|u| !u.trim().is_empty()) {
                let u = u.trim().to_ascii_lowercase();
                if let Some(h) = r.home_tenant_id.as_deref().filter(|h| !h.is_empty()) {
                    w.home_tenants.insert(u.clone(), h.to_string());
                }
                w.users.insert(u);
            }
            if let Some(d) = r.device_id.as_deref().filter(|d| !d.trim().is_empty()) {
                // An all-zero id is "no device" in some exports.
                if d.chars().any(|c| c != '0' && c != '-') {
                    w.devices.insert(d.trim().to_ascii_lowercase());
                }
            }
            if let Some(t) = r.resource_tenant_id.as_deref().filter(|t| !t.is_empty()) {
                tenants.insert(t.to_ascii_lowercase());
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    match res {
        Ok(_) => {}
        Err(crate::signin::StreamError::Load(e)) => {
            return Err(FetchError::Check(format!("the fetched sign-ins: {e}")))
        }
        Err(crate::signin::StreamError::Sink(never)) => match never {},
    }
    if w.tenant_id.is_none() && tenants.len() == 1 {
        w.tenant_id = tenants.into_iter().next();
    }
    Ok(())
}

/// Load the folder as `replay` does; any problem is the fetch's failure.
fn check(dir: &Path, summary: &mut Summary) -> Result<(), FetchError> {
    let paths = crate::replay::tenant::TenantPaths::resolve(
        Some(dir),
        &crate::replay::tenant::Overrides::default(),
    );
    let tenant = crate::replay::Tenant::load("fetched", &paths)
        .map_err(|e| FetchError::Check(e.to_string()))?;
    summary.notes.extend(tenant.notes);
    Ok(())
}
