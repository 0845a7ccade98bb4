//! Replay: tenant snapshot + sign-in exports -> baseline and candidate evaluation of every
//! event (rayon) -> report. I/O happens here and in `signin`/`policy`; `engine` stays pure.

pub mod enrich;
pub mod labels;
pub mod run;
pub mod scenario;
pub mod stream;
pub mod tenant;

use std::path::PathBuf;

use crate::engine::{self, CompiledSet, TenantInputs};
use crate::policy::{
    self, AuthenticationStrength, Directory, NamedLocation, Policy, TenantSettings,
};
use crate::report::{Aggregator, EventRow, InputSummary, PolicyInfo, Report, ReportMeta};
use crate::signin;

pub use enrich::{enrich, Assumptions};
pub use labels::LocationLabeler;
pub use run::{Dedup, ReplayStats, Replayer};
pub use scenario::{Changes, Selector};
pub use tenant::{Overrides, TenantPaths};

/// Errors of a replay run (displayed by the binary; exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{0}")]
    Policy(#[from] policy::PolicyError),
    #[error("{0}")]
    SignIn(#[from] signin::LoadError),
    #[error("{0}")]
    Scenario(#[from] scenario::ScenarioError),
    #[error("{0}")]
    Report(#[from] crate::report::ReportError),
    #[error(
        "no policies found (looked in {0}); give a tenant folder with policies/ or --policies"
    )]
    NoPolicies(String),
    #[error("no sign-in logs given: the tenant folder has no signins/ and no --logs was passed")]
    NoLogs,
    #[error("{path}: {message}")]
    BadChangeFile { path: String, message: String },
    /// No event survived loading: a report over nothing would pass every gate.
    #[error("no sign-in events to replay: {0}")]
    NoEvents(String),
}

/// Fail when the load produced no event (an empty `signins/`, or every row rejected):
/// "0 events replayed" must not read as "nothing would change".
pub fn require_events(ledger: &signin::Ledger) -> Result<(), ReplayError> {
    if ledger.rows_loaded() > 0 {
        return Ok(());
    }
    let files = ledger.files.len();
    let read = ledger.rows_read();
    let why = if files == 0 {
        "no sign-in export file was found (folders are searched for .json, .jsonl, .ndjson, \
         .csv, .parquet, .gz, .log and .txt files)"
            .to_string()
    } else if read == 0 {
        format!("{files} file(s) read, but they hold no sign-in rows")
    } else {
        let reasons: Vec<String> = ledger
            .rejected_by_reason()
            .iter()
            .take(3)
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect();
        format!(
            "{files} file(s), {read} row(s) read, {} rejected ({}), {} duplicate(s); \
             see `careplay logs inspect` for examples",
            ledger.rows_rejected(),
            reasons.join(", "),
            ledger.duplicates()
        )
    };
    Err(ReplayError::NoEvents(why))
}

/// The policy side of a tenant snapshot, loaded.
pub struct Tenant {
    pub name: String,
    pub policies: Vec<Policy>,
    pub locations: Vec<NamedLocation>,
    pub strengths: Vec<AuthenticationStrength>,
    pub directory: Option<Directory>,
    /// `tenantSettings.json`; default (nothing configured) without the file.
    pub settings: TenantSettings,
    pub policies_rejected: Vec<String>,
    pub notes: Vec<String>,
}

impl Tenant {
    /// Load policies, named locations, strengths and the directory snapshot.
    pub fn load(name: &str, paths: &TenantPaths) -> Result<Tenant, ReplayError> {
        if paths.policies.is_empty() {
            return Err(ReplayError::NoPolicies(name.to_string()));
        }
        let load = policy::load_policies(&paths.policies)?;
        let policies_rejected: Vec<String> = load
            .rejected
            .iter()
            .map(|r| format!("{}: {}", r.origin, r.message))
            .collect();
        let policies: Vec<Policy> = load.policies.into_iter().map(|p| p.policy).collect();
        if policies.is_empty() {
            return Err(ReplayError::NoPolicies(
                paths
                    .policies
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        let locations = if paths.locations.is_empty() {
            Vec::new()
        } else {
            policy::load_named_locations(&paths.locations)?
                .locations
                .into_iter()
                .map(|l| l.location)
                .collect()
        };
        let strengths = if paths.strengths.is_empty() {
            Vec::new()
        } else {
            policy::load_strengths(&paths.strengths)?
                .strengths
                .into_iter()
                .map(|s| s.strength)
                .collect()
        };
        let mut notes = Vec::new();
        let directory = match paths.directory.first() {
            Some(p) => Some(policy::load_directory(p)?),
            None => {
                notes.push(
                    "no directory snapshot: group, role and guest facts not in the logs are Unknown"
                        .to_string(),
                );
                None
            }
        };
        let settings = match paths.settings.first() {
            Some(p) => policy::load_tenant_settings(p)?,
            None => TenantSettings::default(),
        };
        Ok(Tenant {
            name: name.to_string(),
            policies,
            locations,
            strengths,
            directory,
            settings,
            policies_rejected,
            notes,
        })
    }

    pub fn inputs(&self) -> TenantInputs<'_> {
        TenantInputs {
            directory: self.directory.as_ref(),
            locations: &self.locations,
            strengths: &self.strengths,
            mfa_trusted_ips: &[],
            baseline_scopes: Some(&self.settings.baseline_scopes),
        }
    }

    pub fn compile(&self, policies: &[Policy]) -> CompiledSet {
        engine::compile(policies, &self.inputs())
    }

    /// The network classes of this tenant's named locations and MFA trusted IPs: what
    /// evaluation keys group IPs by (`stream::NetworkClasses`).
    pub fn network_classes(&self) -> stream::NetworkClasses {
        stream::NetworkClasses::new(&self.locations, self.inputs().mfa_trusted_ips)
    }
}

/// Changes given as strings and paths (CLI form).
#[derive(Debug, Clone, Default)]
pub struct ChangeSpec {
    pub promote: Vec<String>,
    pub disable: Vec<String>,
    pub add: Vec<PathBuf>,
    pub replace: Vec<PathBuf>,
}

impl ChangeSpec {
    pub fn resolve(&self) -> Result<Changes, ReplayError> {
        let load = |paths: &[PathBuf]| -> Result<Vec<Policy>, ReplayError> {
            if paths.is_empty() {
                return Ok(Vec::new());
            }
            let l = policy::load_policies(paths)?;
            if let Some(r) = l.rejected.first() {
                return Err(ReplayError::BadChangeFile {
                    path: r.origin.to_string(),
                    message: r.message.clone(),
                });
            }
            Ok(l.policies.into_iter().map(|p| p.policy).collect())
        };
        Ok(Changes {
            promote: self.promote.iter().map(|s| Selector::parse(s)).collect(),
            disable: self.disable.iter().map(|s| Selector::parse(s)).collect(),
            add: load(&self.add)?,
            replace: load(&self.replace)?,
        })
    }
}

/// Everything `careplay replay` needs.
#[derive(Debug, Clone)]
pub struct ReplayPlan {
    pub tenant_dir: Option<PathBuf>,
    pub overrides: Overrides,
    pub changes: ChangeSpec,
    pub dedup: Dedup,
    pub progress: bool,
    /// Keep every event row (for `--events-out`).
    pub keep_rows: bool,
    pub assume: Assumptions,
}

pub struct ReplayOutcome {
    pub report: Report,
    pub rows: Vec<EventRow>,
    pub stats: ReplayStats,
}

/// A replay ready to run: the tenant loaded, both policy sets compiled. Shared by the
/// in-memory (`run_replay`) and the streaming (`stream::run_replay_streaming`) paths.
pub struct Prepared {
    pub paths: TenantPaths,
    pub tenant: Tenant,
    pub candidate_policies: Vec<Policy>,
    pub change_log: Vec<String>,
    pub baseline: CompiledSet,
    pub candidate: CompiledSet,
    pub labels: LocationLabeler,
}

impl Prepared {
    pub fn new(plan: &ReplayPlan) -> Result<Prepared, ReplayError> {
        let paths = TenantPaths::resolve(plan.tenant_dir.as_deref(), &plan.overrides);
        let name = plan
            .tenant_dir
            .as_ref()
            .map(|d| {
                d.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| d.display().to_string())
            })
            .unwrap_or_else(|| "tenant".to_string());
        let tenant = Tenant::load(&name, &paths)?;
        if paths.logs.is_empty() {
            return Err(ReplayError::NoLogs);
        }
        let changes = plan.changes.resolve()?;
        let (candidate_policies, change_log) = changes.apply(&tenant.policies)?;
        let baseline = tenant.compile(&tenant.policies);
        let candidate = tenant.compile(&candidate_policies);
        let labels = LocationLabeler::new(&tenant.locations);
        Ok(Prepared {
            paths,
            tenant,
            candidate_policies,
            change_log,
            baseline,
            candidate,
            labels,
        })
    }

    pub fn replayer<'a>(&'a self, plan: &'a ReplayPlan) -> Replayer<'a> {
        Replayer::new(
            &self.baseline,
            &self.candidate,
            &self.labels,
            self.tenant.directory.as_ref(),
            &plan.assume,
        )
    }

    /// The report header: changes, policy states, input accounting and notes.
    pub fn meta(&self, plan: &ReplayPlan, ledger: &signin::Ledger) -> ReportMeta {
        let tenant = &self.tenant;
        let mut input: InputSummary = ledger.to_input_summary();
        input.policies_loaded = tenant.policies.len() as u64;
        input.policies_rejected = tenant.policies_rejected.len() as u64;
        let mut notes = tenant.notes.clone();
        notes.extend(plan.assume.describe());
        notes.extend(
            tenant
                .policies_rejected
                .iter()
                .map(|r| format!("policy rejected: {r}")),
        );
        notes.extend(
            self.candidate
                .issues()
                .iter()
                .map(|i| format!("policy issue: {i}")),
        );
        ReportMeta {
            title: "careplay impact report".to_string(),
            tenant: tenant.name.clone(),
            changes: if self.change_log.is_empty() {
                vec!["no changes: candidate = baseline".to_string()]
            } else {
                self.change_log.clone()
            },
            policies: policy_infos(&tenant.policies, &self.candidate_policies),
            input,
            notes,
        }
    }
}

/// Run a replay end to end, every event in memory (duplicates resolved across all files).
pub fn run_replay(plan: &ReplayPlan) -> Result<ReplayOutcome, ReplayError> {
    let prepared = Prepared::new(plan)?;
    let opts = signin::LoadOptions::for_replay(None, plan.progress);
    let loaded = signin::load(&prepared.paths.logs, &opts)?;
    require_events(&loaded.ledger)?;
    let replayer = prepared.replayer(plan);
    // One key cache for the whole replay, as the streaming replay keeps (each distinct
    // key evaluated once, not once per chunk of 2048 events: a key cache per chunk
    // evaluated ~3x more keys on a 200k-event export). Its rows equal `replay_chunk`'s
    // field for field (tests/bench_agreement.rs), which stays as the slow twin.
    let cfg = stream::StreamConfig {
        dedup: plan.dedup,
        ..stream::StreamConfig::default()
    };
    let cache = stream::KeyCache::new(prepared.tenant.network_classes(), cfg.max_cached_keys);
    let signin::Loaded {
        records, ledger, ..
    } = loaded;
    let chunks: Vec<(Vec<EventRow>, Aggregator, ReplayStats)> = {
        use rayon::prelude::*;
        // Chunks are moved to, and freed by, the worker that replays them (freeing every
        // record on the calling thread after the replay was a quarter of its serial time).
        records
            .into_par_iter()
            .chunks(2048)
            .map(|chunk| {
                let mut keyed = stream::KeyedReplayer::new(&replayer, &cache, &cfg);
                let mut agg = Aggregator::new();
                let mut rows = Vec::new();
                keyed.replay(&chunk, |r| {
                    agg.push(r);
                    if plan.keep_rows {
                        rows.push(r.clone());
                    }
                });
                (rows, agg, keyed.stats())
            })
            .collect()
    };
    let mut agg = Aggregator::new();
    let mut rows = Vec::new();
    let mut stats = ReplayStats::default();
    for (r, a, s) in chunks {
        agg.merge(a);
        rows.extend(r);
        stats = ReplayStats {
            events: stats.events + s.events,
            evaluations: stats.evaluations + s.evaluations,
        };
    }
    let meta = prepared.meta(plan, &ledger);
    Ok(ReplayOutcome {
        report: agg.finish(meta),
        rows,
        stats,
    })
}

pub fn policy_infos(baseline: &[Policy], candidate: &[Policy]) -> Vec<PolicyInfo> {
    let state = |p: &Policy| p.state.clone().unwrap_or_else(|| "?".to_string());
    let mut out: Vec<PolicyInfo> = candidate
        .iter()
        .map(|c| {
            let b = baseline
                .iter()
                .find(|b| b.id.is_some() && b.id == c.id)
                .map(state)
                .unwrap_or_else(|| "(new)".to_string());
            PolicyInfo {
                id: c.id.clone().unwrap_or_default(),
                name: scenario::name_of(c),
                baseline_state: b,
                candidate_state: state(c),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    out
}
