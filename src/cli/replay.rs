//! `careplay replay TENANT_DIR`: baseline vs candidate impact report.

use std::io::Write;
use std::path::PathBuf;

use careplay::replay::{self, ChangeSpec, Dedup, Overrides, ReplayPlan};
use careplay::report::{self, EventsWriter, Format};

use super::gate::{FailOn, Gate};
use super::output::{self, CsvDir, OutputFile};
use super::{CmdResult, EXIT_OK, EXIT_THRESHOLD};

/// Parts of a tenant snapshot; each flag replaces the matching part of TENANT_DIR.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TenantArgs {
    /// Tenant folder: policies/, namedLocations.json, authenticationStrengths.json,
    /// directory.json, signins/.
    pub tenant_dir: Option<PathBuf>,
    /// Policy files or folders (replaces TENANT_DIR/policies). Repeatable; globs allowed.
    #[arg(long = "policies", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Named locations file (replaces TENANT_DIR/namedLocations.json).
    #[arg(long = "locations", value_name = "PATH")]
    pub locations: Vec<PathBuf>,
    /// Authentication strengths file (built-ins are always bundled).
    #[arg(long = "strengths", value_name = "PATH")]
    pub strengths: Vec<PathBuf>,
    /// Directory snapshot (users, groups, roles, guests). One file: several Graph exports
    /// go into it as concatenated JSON texts, so a second --directory is refused rather
    /// than silently ignored.
    #[arg(long = "directory", value_name = "PATH")]
    pub directory: Option<PathBuf>,
    /// Sign-in export files, folders or globs (replaces TENANT_DIR/signins).
    #[arg(long = "logs", value_name = "PATH")]
    pub logs: Vec<PathBuf>,
    /// Skip broken policy files instead of stopping (exit 2). The report then lists each
    /// skipped file at the top and every --fail-on gate fails: the answer is partial.
    /// Problems in named locations, strengths or the directory snapshot still stop the run.
    #[arg(long)]
    pub keep_going: bool,
}

impl TenantArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            policies: expand(&self.policies),
            locations: expand(&self.locations),
            strengths: expand(&self.strengths),
            directory: expand(self.directory.as_slice()),
            logs: expand(&self.logs),
            keep_going: self.keep_going,
        }
    }
}

/// Say on stderr what the answer leaves out or could not decide for lack of an input
/// (the report says it too, but a CI log shows stderr).
pub fn warn_inputs(skipped: &[String], absent: &[String]) {
    for s in skipped {
        eprintln!("careplay: skipped (--keep-going, the answer is partial): {s}");
    }
    for a in absent {
        eprintln!("careplay: note: {a}");
    }
}

/// Expand glob patterns; plain paths pass through unchanged (missing ones are reported
/// by the loaders with their name).
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let s = p.to_string_lossy();
        if s.contains(['*', '?', '[']) {
            match glob::glob(&s) {
                Ok(it) => {
                    let before = out.len();
                    out.extend(it.filter_map(Result::ok));
                    if out.len() == before {
                        out.push(p.clone());
                    }
                }
                Err(_) => out.push(p.clone()),
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Candidate = baseline with these changes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ChangeArgs {
    /// Switch a policy On: its id, its display name, or `all-report-only`. Repeatable.
    #[arg(long, value_name = "ID|NAME|all-report-only")]
    pub promote: Vec<String>,
    /// Add new policy files (e.g. from a template) in state On. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub add: Vec<PathBuf>,
    /// Switch a policy Off: its id or display name. Repeatable.
    #[arg(long, value_name = "ID|NAME")]
    pub disable: Vec<String>,
    /// Replace a policy by a new version of it (matched by id). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub replace: Vec<PathBuf>,
}

impl ChangeArgs {
    pub fn spec(&self) -> ChangeSpec {
        ChangeSpec {
            promote: self.promote.clone(),
            disable: self.disable.clone(),
            add: expand(&self.add),
            replace: expand(&self.replace),
        }
    }
}

/// Which replayed events the report counts. Applied after evaluation, before any number
/// is counted; the headline says how many events they left out. Different flags must all
/// match; a repeated flag matches any of its values.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only events at or after this time: RFC 3339 (`2026-10-01T08:00:00Z`) or a date
    /// (`2026-10-01`, from midnight UTC).
    #[arg(long, value_name = "TIME|DATE", value_parser = parse_since)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events before this time: RFC 3339 (exclusive) or a date (that whole day, UTC).
    #[arg(long, value_name = "TIME|DATE", value_parser = parse_until)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events of this user: object id or UPN (case-insensitive). Repeatable.
    #[arg(long = "user", id = "filter_user", value_name = "ID|UPN")]
    pub users: Vec<String>,
    /// Only events of this client app: app id or display name (case-insensitive).
    /// Repeatable.
    #[arg(long = "app", id = "filter_app", value_name = "ID|NAME")]
    pub apps: Vec<String>,
    /// Only events where this policy (id or display name) applies or may apply and is
    /// enforced (On) in the baseline or in the candidate. Repeatable.
    #[arg(long = "policy", id = "filter_policy", value_name = "ID|NAME")]
    pub filter_policies: Vec<String>,
}

impl FilterArgs {
    pub fn spec(&self) -> careplay::replay::FilterSpec {
        careplay::replay::FilterSpec {
            since: self.since,
            until: self.until,
            users: self.users.clone(),
            apps: self.apps.clone(),
            policies: self.filter_policies.clone(),
        }
    }
}

fn parse_since(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    careplay::replay::filter::parse_time(s, false, chrono::Utc::now())
}

fn parse_until(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    careplay::replay::filter::parse_time(s, true, chrono::Utc::now())
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 ok; 1 a --fail-on threshold was breached; 2 usage or input error.\n\
Example: careplay replay datasets/seed-registration --promote all-report-only"
)]
pub struct Args {
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten)]
    pub changes: ChangeArgs,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format.
    #[arg(long, default_value = "terminal", value_parser = ["terminal", "json", "csv", "markdown", "html"])]
    pub format: String,
    /// Write the report to FILE instead of standard output. With `--format csv`, a
    /// folder (an existing one, or a path ending in `/`, created if missing) gets one tidy
    /// CSV per table (headline.csv, summary.csv, transitions.csv, by_user.csv, ...).
    #[arg(long, short = 'o', value_name = "FILE|DIR/")]
    pub output: Option<PathBuf>,
    /// With `--format csv`: write only this table, as one tidy CSV (to stdout or -o FILE).
    /// Names as in the CSV folder without `.csv` (summary, transitions, by_user, ...).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Rows per table in the terminal, Markdown and CSV formats (JSON and HTML hold
    /// every row).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// With `--format html`: embed at most N events for the drill-down, moved events
    /// first (newly blocked, challenged, unknown, relieved), then undecided, then the rest;
    /// the page says how many of each were left out. Every number and table still covers
    /// all events.
    #[arg(long, value_name = "N", default_value_t = report::render::HTML_EVENTS)]
    pub html_events: usize,
    /// Write one row per event (Parquet or NDJSON, by extension).
    #[arg(long, value_name = "FILE")]
    pub events_out: Option<PathBuf>,
    /// CI gate, e.g. `newly-blocked>0`, `newly-challenged>25`, `newly-unknown>100`,
    /// `newly-blocked-users>0`. Repeatable; exit 1 when any is breached.
    #[arg(long = "fail-on", value_name = "METRIC>N")]
    pub fail_on: Vec<FailOn>,
    /// Compare every event with GOLDEN, the --events-out file (Parquet or NDJSON) of an
    /// approved run: list the events whose candidate outcome or applied policies changed,
    /// and those present on one side only (by request id). Gate with
    /// `--fail-on 'changed>0'` or `changed-rate>P%`.
    #[arg(long, value_name = "GOLDEN", conflicts_with = "stream")]
    pub compare_to: Option<PathBuf>,
    /// Evaluate every event separately instead of once per distinct evaluation key.
    #[arg(long)]
    pub no_dedup: bool,
    /// Stream the logs in bounded memory (for exports larger than memory). Duplicate
    /// records of one sign-in are then resolved within each batch of 4096 rows only, so
    /// counts can differ slightly from the default in-memory replay when an export logs
    /// one sign-in several times far apart.
    #[arg(long, conflicts_with = "events_out")]
    pub stream: bool,
    /// User risk to assume for users whose risk the directory snapshot does not give
    /// (none | low | medium | high). Sign-in logs never carry user risk; without this,
    /// user-risk policies are Unknown. The assumption is stated in the report.
    #[arg(long, value_name = "LEVEL", value_parser = parse_risk_arg)]
    pub assume_user_risk: Option<careplay::model::RiskLevel>,
}

/// What the run read, assumed and could not decide, on stderr: the report may go to a file
/// or a pipe, and a CI log should still show what the answer rests on.
fn summarize(
    report: &report::Report,
    assume: &careplay::replay::Assumptions,
    started: std::time::Instant,
) {
    let i = &report.input;
    let secs = started.elapsed().as_secs_f64();
    let left_out = match &report.filters {
        Some(f) => format!(" ({} more left out by the filters)", f.events_left_out),
        None => String::new(),
    };
    eprintln!(
        "careplay: {} events replayed{left_out}; {} log rows read, {} loaded, {} rejected, \
         {} duplicates dropped; {secs:.1} s, {:.0} rows/s",
        report.totals.all.events,
        i.rows_read,
        i.rows_loaded,
        i.rows_rejected,
        i.duplicates_dropped,
        i.rows_read as f64 / secs.max(1e-3)
    );
    for a in assume.describe() {
        eprintln!("careplay: {a}");
    }
    for line in report
        .undecided_line()
        .into_iter()
        .chain(report.rejected_line())
    {
        eprintln!("careplay: {line}");
    }
}

/// The CSV table `name` (without `.csv`) of the report, or an error listing the names.
fn one_table(report: &report::Report, name: &str) -> Result<Vec<u8>, String> {
    let tables = report::csv_tables(report).map_err(|e| e.to_string())?;
    let want = format!("{}.csv", name.trim().trim_end_matches(".csv"));
    let names: Vec<&str> = tables
        .iter()
        .map(|(n, _)| n.trim_end_matches(".csv"))
        .collect();
    let listed = names.join(", ");
    tables
        .iter()
        .find(|(n, _)| *n == want)
        .map(|(_, b)| b.clone())
        .ok_or_else(|| format!("--table {name}: no such table; this report has: {listed}"))
}

pub fn parse_risk_arg(s: &str) -> Result<careplay::model::RiskLevel, String> {
    careplay::replay::enrich::parse_risk(s)
        .ok_or_else(|| format!("`{s}`: expected none, low, medium or high"))
}

/// Every path a replay reads, as given (files, folders, globs): what an output must not
/// overwrite.
pub fn inputs_of(tenant: &TenantArgs, changes: &ChangeArgs) -> Vec<PathBuf> {
    let p = replay::TenantPaths::resolve(tenant.tenant_dir.as_deref(), &tenant.overrides());
    let mut all = Vec::new();
    for part in [p.policies, p.locations, p.strengths, p.directory, p.logs] {
        all.extend(part);
    }
    all.extend(expand(&changes.add));
    all.extend(expand(&changes.replace));
    all
}

pub fn run(args: &Args, quiet: bool, out: &mut dyn Write) -> CmdResult {
    let started = std::time::Instant::now();
    let format: Format = args.format.parse()?;
    // Outputs are checked before anything is read: a path that cannot be written, or that
    // is one of the inputs, fails now rather than after the replay.
    let inputs = inputs_of(&args.tenant, &args.changes);
    if let (Some(a), Some(b)) = (&args.output, &args.events_out) {
        output::distinct(a, b)?;
    }
    if args.table.is_some() && format != Format::Csv {
        return Err(
            format!("--table chooses one CSV table: it needs --format csv (not {format})").into(),
        );
    }
    let csv_dir = match &args.output {
        Some(p) if format == Format::Csv && CsvDir::wanted(p) => {
            if args.table.is_some() {
                return Err(format!(
                    "{}: --table writes one table to a file or stdout, not to a folder",
                    p.display()
                )
                .into());
            }
            Some(CsvDir::prepare(p, &inputs)?)
        }
        _ => None,
    };
    let report_file = match (&args.output, &csv_dir) {
        (Some(p), None) => Some(OutputFile::prepare(p, &inputs)?),
        _ => None,
    };
    let events_file = args
        .events_out
        .as_deref()
        .map(|p| OutputFile::prepare(p, &inputs))
        .transpose()?;
    if args.compare_to.is_none() {
        if let Some(g) = args.fail_on.iter().find(|g| g.needs_golden()) {
            return Err(format!("--fail-on '{g}' needs --compare-to GOLDEN").into());
        }
    }
    // Read before the replay: a golden that cannot be used stops the run (exit 2) at once.
    let golden = args
        .compare_to
        .as_deref()
        .map(report::Golden::load)
        .transpose()?;
    let plan = ReplayPlan {
        tenant_dir: args.tenant.tenant_dir.clone(),
        overrides: args.tenant.overrides(),
        changes: args.changes.spec(),
        dedup: if args.no_dedup { Dedup::Off } else { Dedup::On },
        progress: !quiet,
        keep_rows: args.events_out.is_some() || golden.is_some(),
        event_sample: if format == Format::Html {
            args.html_events
        } else {
            0
        },
        assume: careplay::replay::Assumptions {
            user_risk: args.assume_user_risk,
        },
        filter: args.filters.spec(),
    };
    let report = if args.stream {
        let cfg = careplay::replay::stream::StreamConfig::default();
        careplay::replay::stream::run_replay_streaming(&plan, &cfg)?.report
    } else {
        let outcome = replay::run_replay(&plan)?;
        if let Some(file) = events_file {
            let mut w = EventsWriter::create(file.path())?;
            w.write(&outcome.rows)?;
            w.finish()?;
            file.commit()?;
        }
        let mut report = outcome.report;
        if let Some(golden) = golden {
            let mut cmp = report::Comparer::new(golden);
            for row in &outcome.rows {
                cmp.push(row);
            }
            report.comparison = Some(cmp.finish());
        }
        report
    };
    let report = report.with_top(args.top);
    warn_inputs(&report.skipped_inputs, &report.absent_inputs);
    // Inputs left unopened change what was replayed: said on stderr too, not only in
    // the report's input accounting.
    for s in &report.input.inputs_skipped {
        eprintln!("careplay: warning: {s}");
    }
    if let Some(dir) = csv_dir {
        dir.write(&report::csv_tables(&report)?, &inputs)?;
    } else {
        let write = |w: &mut dyn Write| -> CmdResult {
            match &args.table {
                Some(name) => w.write_all(&one_table(&report, name)?)?,
                None => {
                    report::render(&report, format, w)?;
                    if format == Format::Csv && !quiet {
                        eprintln!(
                            "careplay: note: this CSV holds every table in one stream (a \
                             `section` column per block); for files pandas and polars read \
                             as they are, use -o DIR/ (one CSV per table) or --table NAME"
                        );
                    }
                }
            }
            Ok(EXIT_OK)
        };
        match report_file {
            Some(file) => {
                let mut f = std::io::BufWriter::new(file.file()?);
                write(&mut f)?;
                f.flush()?;
                drop(f);
                file.commit()?;
            }
            None => {
                if let Err(e) = write(out) {
                    match e.downcast::<std::io::Error>() {
                        Ok(io) => super::unless_closed_pipe(Err(*io))?,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }
    summarize(&report, &plan.assume, started);
    if let Some(c) = &report.comparison {
        eprintln!(
            "careplay: {} of {} events differ from {} ({} outcome, {} policies only, {} added, \
             {} removed)",
            c.changed,
            c.union(),
            c.golden,
            c.outcome_changed,
            c.policies_changed,
            c.added,
            c.removed
        );
    }
    let breaches = Gate::new(&args.fail_on).check(&report);
    for b in &breaches {
        eprintln!("careplay: threshold breached: {b}");
    }
    Ok(if breaches.is_empty() {
        EXIT_OK
    } else {
        EXIT_THRESHOLD
    })
}
