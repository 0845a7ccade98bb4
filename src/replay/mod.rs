//! Replay: tenant snapshot + sign-in exports -> baseline and candidate evaluation of every
//! event (rayon) -> report. I/O happens here and in `signin`/`policy`; `engine` stays pure.

pub mod config;
pub mod enrich;
pub mod filter;
pub mod labels;
pub mod run;
pub mod scenario;
pub mod stream;
pub mod tenant;

use std::path::PathBuf;

use crate::engine::{self, CompiledSet, TenantInputs};
use crate::policy::{
    self, AuthenticationStrength, CrossTenantAccess, Directory, NamedLocation, Policy, Rejection,
    TenantSettings,
};
use crate::report::{Aggregator, EventRow, InputSummary, PolicyInfo, Report, ReportMeta};
use crate::signin;

pub use config::{ConfigErrors, ConfigInput, ConfigProblem};
pub use enrich::{enrich, Assumptions};
pub use filter::{EventFilter, ExcludedCounts, FilterSpec};
pub use labels::LocationLabeler;
pub use run::{Dedup, ReplayStats, Replayer};
pub use scenario::{Changes, Selector};
pub use tenant::{Overrides, TenantOptions, TenantPaths};

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
    #[error("{0}")]
    Config(ConfigErrors),
    #[error("{0}: no such tenant folder")]
    NoTenantFolder(String),
    #[error(
        "{0}: is a file, not a tenant folder (expected a folder with policies/, \
         namedLocations.json, directory.json, signins/)"
    )]
    TenantNotAFolder(String),
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

/// The evaluation bar of the in-memory replay (events evaluated, events/s, ETA): after
/// the load's byte bars, the evaluation took seconds with nothing on screen. None when
/// progress is off or stderr is not a terminal (the streaming replay evaluates while it
/// loads: its byte bars show both).
fn evaluation_bar(enabled: bool, events: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(events);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "evaluating [{bar:30}] {pos}/{len} events ({per_sec}, {eta})",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    Some(pb)
}

/// Fail when the filters left no event: as for an empty load, a report over nothing
/// would pass every gate. The message names the filters and what each left out.
pub fn require_kept(
    filter: &EventFilter,
    replayed: u64,
    left_out: &ExcludedCounts,
) -> Result<(), ReplayError> {
    if !filter.active() || left_out.total() < replayed {
        return Ok(());
    }
    let by = filter
        .summary(left_out)
        .map(|s| {
            s.left_out_by
                .iter()
                .map(|(why, n)| format!("{n} {why}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    Err(ReplayError::NoEvents(format!(
        "the filters {} match none of the {replayed} replayed events ({by})",
        filter.describe().join(" ")
    )))
}

/// The policy side of a tenant snapshot, loaded.
pub struct Tenant {
    pub name: String,
    pub policies: Vec<Policy>,
    pub locations: Vec<NamedLocation>,
    /// No named-locations file was given: trusted and named locations are Unknown.
    pub no_locations_snapshot: bool,
    pub strengths: Vec<AuthenticationStrength>,
    pub directory: Option<Directory>,
    /// Cross-tenant access settings; `None` = no file (external users' inbound MFA and
    /// device trust are Unknown).
    pub cross_tenant: Option<CrossTenantAccess>,
    /// Policy objects skipped by `--keep-going` (empty otherwise: any problem stops the
    /// load). Non-empty = the answer is partial.
    pub skipped: Vec<Rejection>,
    /// `tenantSettings.json`; default (nothing configured) without the file.
    pub settings: TenantSettings,
    /// What the run lacks and what that makes Unknown (report notes and stderr).
    pub notes: Vec<String>,
}

impl Tenant {
    /// Load policies, named locations, strengths and the directory snapshot; any problem
    /// in them is an error.
    pub fn load(name: &str, paths: &TenantPaths) -> Result<Tenant, ReplayError> {
        Tenant::load_with(name, paths, TenantOptions::default())
    }

    /// Load the snapshot. Every problem of every input is collected first, so one error
    /// lists them all; with `keep_going`, problems in policy files only are skipped.
    pub fn load_with(
        name: &str,
        paths: &TenantPaths,
        opts: TenantOptions,
    ) -> Result<Tenant, ReplayError> {
        if let Some(dir) = &paths.folder {
            if !dir.exists() {
                return Err(ReplayError::NoTenantFolder(dir.display().to_string()));
            }
            if !dir.is_dir() {
                return Err(ReplayError::TenantNotAFolder(dir.display().to_string()));
            }
        }
        if paths.policies.is_empty() {
            return Err(ReplayError::NoPolicies(name.to_string()));
        }
        let mut problems: Vec<ConfigProblem> = Vec::new();
        let policies: Vec<Policy> = match policy::load_policies(&paths.policies) {
            Ok(load) => {
                problems.extend(load.rejected.into_iter().map(|rejection| ConfigProblem {
                    input: ConfigInput::Policies,
                    rejection,
                }));
                load.policies.into_iter().map(|p| p.policy).collect()
            }
            Err(e) => {
                problems.extend(ConfigProblem::from_error(ConfigInput::Policies, e));
                Vec::new()
            }
        };
        let mut notes = Vec::new();
        let policies = live_policies(policies, &mut notes);
        let locations = if paths.locations.is_empty() {
            notes.push(
                "no named locations file (namedLocations.json): every trusted-location and \
                 named-location condition is Unknown"
                    .to_string(),
            );
            Vec::new()
        } else {
            load_part(
                ConfigInput::Locations,
                &paths.locations,
                &mut problems,
                |p| {
                    policy::load_named_locations(p).map(|l| {
                        let items = l.locations.into_iter().map(|l| l.location).collect();
                        (items, l.rejected, l.files.len())
                    })
                },
            )
        };
        let strengths = if paths.strengths.is_empty() {
            Vec::new()
        } else {
            load_part(
                ConfigInput::Strengths,
                &paths.strengths,
                &mut problems,
                |p| {
                    policy::load_strengths(p).map(|l| {
                        let items = l.strengths.into_iter().map(|s| s.strength).collect();
                        (items, l.rejected, l.files.len())
                    })
                },
            )
        };
        let directory = match paths.directory.as_slice() {
            [] => {
                notes.push(
                    "no directory snapshot: group, role and guest facts not in the logs are Unknown"
                        .to_string(),
                );
                None
            }
            [p] => match policy::load_directory(p) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.extend(ConfigProblem::from_error(ConfigInput::Directory, e));
                    None
                }
            },
            many => {
                problems.push(ConfigProblem::new(
                    ConfigInput::Directory,
                    crate::diag::Origin::default(),
                    format!(
                        "{} directory snapshots given ({}): give one file (concatenate Graph \
                         exports into it: one file may hold several JSON texts)",
                        many.len(),
                        many.iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                None
            }
        };
        let settings = match paths.settings.as_slice() {
            [] => TenantSettings::default(),
            [p, ..] => match policy::load_tenant_settings(p) {
                Ok(s) => s,
                Err(e) => {
                    problems.extend(ConfigProblem::from_error(ConfigInput::Settings, e));
                    TenantSettings::default()
                }
            },
        };
        let cross_tenant = match paths.cross_tenant.as_slice() {
            [p] => match policy::load_cross_tenant(p) {
                Ok(c) => {
                    for t in &c.deleted_partners {
                        notes.push(format!(
                            "cross-tenant partner entry {t} is soft-deleted (deletedDateTime): \
                             not applied; that tenant follows the default settings"
                        ));
                    }
                    Some(c)
                }
                Err(e) => {
                    problems.extend(ConfigProblem::from_error(ConfigInput::CrossTenant, e));
                    None
                }
            },
            // Only ever the folder's one file (no flag); absent = Unknown, never "untrusted".
            _ => {
                notes.push(format!(
                    "no cross-tenant access settings ({}): whether this tenant trusts an \
                     external user's home-tenant MFA and device claims is Unknown",
                    tenant::CROSS_TENANT_FILE
                ));
                None
            }
        };
        let only_policies = problems.iter().all(|p| p.input == ConfigInput::Policies);
        // --keep-going can skip broken policy files, and only while a policy is left.
        let skippable = opts.keep_going && only_policies && !policies.is_empty();
        if !problems.is_empty() && !skippable {
            return Err(ReplayError::Config(ConfigErrors {
                problems,
                keep_going: opts.keep_going,
            }));
        }
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
        // "Conditional Access policies can be evaluated in report-only mode except for items
        // included in the User Actions scope" (concept-conditional-access-report-only.md,
        // intro): Entra never evaluates such a policy, so no sign-in logs a result for it.
        for p in &policies {
            if crate::verify::not_verifiable_reason(p).is_some() {
                notes.push(format!(
                    "policy `{}` is report-only on a user action: Entra never evaluates \
                     report-only policies on user actions, so sign-in logs hold no result for \
                     it (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only); careplay predicts what it \
                     would do once On",
                    p.display_name
                        .as_deref()
                        .or(p.id.as_deref())
                        .unwrap_or("(no name)")
                ));
            }
        }
        notes.extend(mfa_trusted_ips_note(&policies, &settings));
        Ok(Tenant {
            name: name.to_string(),
            policies,
            locations,
            no_locations_snapshot: paths.locations.is_empty(),
            strengths,
            directory,
            cross_tenant,
            skipped: problems.into_iter().map(|p| p.rejection).collect(),
            settings,
            notes,
        })
    }

    /// The skipped policy objects as report lines.
    pub fn skipped_lines(&self) -> Vec<String> {
        self.skipped.iter().map(ToString::to_string).collect()
    }

    pub fn inputs(&self) -> TenantInputs<'_> {
        TenantInputs {
            directory: self.directory.as_ref(),
            locations: &self.locations,
            no_locations_snapshot: self.no_locations_snapshot,
            strengths: &self.strengths,
            // Not stated in tenantSettings.json: `AllTrusted` reads them as empty (an
            // assumption the report notes, see `mfa_trusted_ips_note`); only a policy naming
            // the pseudo-location itself is Unknown.
            mfa_trusted_ips: self.settings.mfa_trusted_ips.as_deref().unwrap_or(&[]),
            mfa_trusted_ips_unknown: self.settings.mfa_trusted_ips.is_none(),
            baseline_scopes: Some(&self.settings.baseline_scopes),
            cross_tenant: self.cross_tenant.as_ref(),
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

/// The assumption behind every "All trusted networks and locations" answer when the tenant
/// settings do not state the legacy MFA trusted IPs (Graph does not export them): they are
/// read as none, which a tenant that still has them would answer differently.
fn mfa_trusted_ips_note(policies: &[Policy], settings: &TenantSettings) -> Option<String> {
    if settings.mfa_trusted_ips.is_some() {
        return None;
    }
    let uses = policies
        .iter()
        .filter(|p| {
            let locations = p.conditions.as_ref().and_then(|c| c.locations.as_ref());
            locations.is_some_and(|l| {
                l.include_locations
                    .iter()
                    .chain(&l.exclude_locations)
                    .any(|id| id.trim().eq_ignore_ascii_case("AllTrusted"))
            })
        })
        .count();
    (uses > 0).then(|| {
        format!(
            "{uses} {} \"All trusted networks and locations\", which also covers the legacy \
             MFA trusted IPs: careplay assumes the tenant has none (state them, or [] for \
             none, as `mfaTrustedIps` in {})",
            if uses == 1 {
                "policy uses"
            } else {
                "policies use"
            },
            tenant::SETTINGS_FILE
        )
    })
}

/// The policies that are not soft-deleted. A policy with `deletedDateTime` comes from a
/// `deletedItems` export: Entra does not enforce it (it can only be restored, within 30
/// days: Graph policyDeletableItem, conditionalAccessPolicy "List deleted policies"), so it
/// is left out with a note rather than evaluated as live. It is not refused: a deleted
/// policy is a fact about the tenant, not a broken input.
fn live_policies(policies: Vec<Policy>, notes: &mut Vec<String>) -> Vec<Policy> {
    let (deleted, live): (Vec<Policy>, Vec<Policy>) = policies.into_iter().partition(|p| {
        p.deleted_date_time
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty())
    });
    for p in &deleted {
        notes.push(format!(
            "policy `{}` is soft-deleted (deletedDateTime {}): not evaluated; Entra does not \
             enforce a deleted policy",
            p.display_name.as_deref().or(p.id.as_deref()).unwrap_or("?"),
            p.deleted_date_time.as_deref().unwrap_or_default().trim()
        ));
    }
    live
}

/// Load one multi-file part (named locations, strengths): its objects, and every problem
/// in it, including a path that yields no file (a folder named like a file, or empty).
fn load_part<T>(
    input: ConfigInput,
    paths: &[PathBuf],
    problems: &mut Vec<ConfigProblem>,
    load: impl FnOnce(
        &[PathBuf],
    ) -> Result<(Vec<T>, Vec<policy::Rejection>, usize), policy::PolicyError>,
) -> Vec<T> {
    for p in paths.iter().filter(|p| p.is_dir()) {
        if p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            problems.push(ConfigProblem::new(
                input,
                crate::diag::Origin::file(p),
                "is a folder; expected a JSON file",
            ));
        }
    }
    match load(paths) {
        Ok((items, rejected, files)) => {
            if files == 0 && problems.iter().all(|p| p.input != input) {
                problems.push(ConfigProblem::new(
                    input,
                    crate::diag::Origin::default(),
                    format!(
                        "no JSON file found in {}",
                        paths
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            problems.extend(
                rejected
                    .into_iter()
                    .map(|rejection| ConfigProblem { input, rejection }),
            );
            items
        }
        Err(e) => {
            problems.extend(ConfigProblem::from_error(input, e));
            Vec::new()
        }
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
    /// Keep up to this many event rows in the report, moved ones first, for the HTML
    /// drill-down (`Report::events`); 0 keeps none.
    pub event_sample: usize,
    pub assume: Assumptions,
    /// Which replayed events the report counts (`--since`, `--user`, ...).
    pub filter: FilterSpec,
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
    /// The plan's filters, resolved against the policies.
    pub filter: EventFilter,
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
        let tenant = Tenant::load_with(&name, &paths, plan.overrides.options())?;
        if paths.logs.is_empty() {
            return Err(ReplayError::NoLogs);
        }
        let changes = plan.changes.resolve()?;
        let (candidate_policies, change_log) = changes.apply(&tenant.policies)?;
        let baseline = tenant.compile(&tenant.policies);
        let candidate = tenant.compile(&candidate_policies);
        let labels = LocationLabeler::new(&tenant.locations);
        let filter = EventFilter::new(&plan.filter, &tenant.policies, &candidate_policies)?;
        Ok(Prepared {
            paths,
            tenant,
            candidate_policies,
            change_log,
            baseline,
            candidate,
            labels,
            filter,
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
        input.policies_rejected = tenant.skipped.len() as u64;
        let mut notes = tenant.notes.clone();
        notes.extend(plan.assume.describe());
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
            skipped_inputs: tenant.skipped_lines(),
            absent_inputs: tenant.notes.clone(),
            filters: None,
        }
    }

    /// [`Prepared::meta`] with what the filters left out.
    pub fn meta_filtered(
        &self,
        plan: &ReplayPlan,
        ledger: &signin::Ledger,
        left_out: &ExcludedCounts,
    ) -> ReportMeta {
        ReportMeta {
            filters: self.filter.summary(left_out),
            ..self.meta(plan, ledger)
        }
    }
}

/// Run a replay end to end, every event in memory (duplicates resolved across all files).
pub fn run_replay(plan: &ReplayPlan) -> Result<ReplayOutcome, ReplayError> {
    let prepared = Prepared::new(plan)?;
    let (report, rows, stats) =
        prepared.replay_in_memory(plan, |_, row| plan.keep_rows.then(|| row.clone()))?;
    Ok(ReplayOutcome {
        report,
        rows,
        stats,
    })
}

impl Prepared {
    /// Load the logs and replay every event in memory; `keep` sees each event's log record
    /// and row, in input order, and what it returns is collected (in input order). The one
    /// in-memory replay: `run_replay` keeps the rows for `--events-out`, `careplay test`
    /// keeps the events its expectations select.
    pub fn replay_in_memory<T: Send>(
        &self,
        plan: &ReplayPlan,
        keep: impl Fn(&signin::SignInRecord, &EventRow) -> Option<T> + Sync,
    ) -> Result<(Report, Vec<T>, ReplayStats), ReplayError> {
        let prepared = self;
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
        let filter = &prepared.filter;
        let bar = evaluation_bar(plan.progress, records.len() as u64);
        let chunks: Vec<(Vec<T>, Aggregator, ReplayStats, ExcludedCounts)> = {
            use rayon::prelude::*;
            // Chunks are moved to, and freed by, the worker that replays them (freeing every
            // record on the calling thread after the replay was a quarter of its serial time).
            records
                .into_par_iter()
                .chunks(2048)
                .map(|chunk| {
                    let mut keyed = stream::KeyedReplayer::new(&replayer, &cache, &cfg);
                    let mut agg = Aggregator::with_event_sample(plan.event_sample);
                    let mut kept = Vec::new();
                    let mut left_out = ExcludedCounts::default();
                    // One record at a time, so `keep` sees the record beside its row.
                    for rec in &chunk {
                        keyed.replay(std::iter::once(rec), |r| {
                            // Filtered out after evaluation, before counting (the filters
                            // read outcomes and applied policies).
                            if let Err(why) = filter.check(r) {
                                left_out.add(why);
                                return;
                            }
                            agg.push(r);
                            if let Some(t) = keep(rec, r) {
                                kept.push(t);
                            }
                        });
                    }
                    if let Some(b) = &bar {
                        b.inc(chunk.len() as u64);
                    }
                    (kept, agg, keyed.stats(), left_out)
                })
                .collect()
        };
        let mut agg = Aggregator::with_event_sample(plan.event_sample);
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let mut kept = Vec::new();
        let mut stats = ReplayStats::default();
        let mut left_out = ExcludedCounts::default();
        for (k, a, s, x) in chunks {
            agg.merge(a);
            left_out.merge(&x);
            kept.extend(k);
            stats = ReplayStats {
                events: stats.events + s.events,
                evaluations: stats.evaluations + s.evaluations,
            };
        }
        require_kept(&prepared.filter, stats.events, &left_out)?;
        let meta = prepared.meta_filtered(plan, &ledger, &left_out);
        Ok((agg.finish(meta), kept, stats))
    }
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
