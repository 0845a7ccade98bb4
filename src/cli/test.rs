//! `careplay test TENANT_DIR --expect FILE…`: check regression expectations against the
//! candidate policy set (the baseline plus replay's change flags).

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser};

use careplay::expect::{self, ExpectError, Hypothetical, HypotheticalFacts, Problem};
use careplay::replay::{Dedup, Prepared, ReplayPlan, Tenant};

use super::output::{self, OutputFile};
use super::replay::{expand, inputs_of, parse_risk_arg, warn_inputs, ChangeArgs, TenantArgs};
use super::{CmdResult, EXIT_OK, EXIT_THRESHOLD};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 every expectation holds; 1 an expectation failed; \
2 usage or input error (a bad expectations file names the file and the path of the bad key).\n\
Example: careplay test datasets/seed-registration --promote all-report-only \
--expect datasets/seed-registration/expectations.yaml --junit results.xml"
)]
pub struct Args {
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten)]
    pub changes: ChangeArgs,
    /// Expectations file (YAML or JSON). Repeatable; globs allowed.
    #[arg(long = "expect", value_name = "FILE", required = true)]
    pub expect: Vec<PathBuf>,
    /// Output format of the results.
    #[arg(long, default_value = "terminal", value_parser = ["terminal", "markdown", "json"])]
    pub format: String,
    /// Write the results to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write JUnit XML (one test case per expectation) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Failing events listed per expectation (all are counted).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub max_events: usize,
    /// User risk to assume where the directory snapshot gives none (as in replay).
    #[arg(long, value_name = "LEVEL", value_parser = parse_risk_arg)]
    pub assume_user_risk: Option<careplay::model::RiskLevel>,
}

/// `whatif`'s flags, parsed from an expectation's `whatif:` entry: the one place that turns
/// that vocabulary into facts (`whatif::facts`).
#[derive(Parser, Debug)]
#[command(no_binary_name = true)]
struct WhatifFlags {
    #[command(flatten)]
    args: super::whatif::Args,
}

/// whatif flags that name tenant inputs or changes: a hypothetical sign-in is evaluated
/// against the tenant and the candidate of this `careplay test` run.
const NOT_SIGN_IN_FACTS: &[&str] = &[
    "policies",
    "locations",
    "strengths",
    "directory",
    "logs",
    "keep-going",
    "promote",
];

pub fn run(args: &Args, quiet: bool, out: &mut dyn Write) -> CmdResult {
    let files = expand(&args.expect);
    let loaded = expect::load_all(&files)?;
    let mut inputs = inputs_of(&args.tenant, &args.changes);
    inputs.extend(files.iter().cloned());
    if let (Some(a), Some(b)) = (&args.output, &args.junit) {
        output::distinct(a, b)?;
    }
    let report_file = args
        .output
        .as_deref()
        .map(|p| OutputFile::prepare(p, &inputs))
        .transpose()?;
    let junit_file = args
        .junit
        .as_deref()
        .map(|p| OutputFile::prepare(p, &inputs))
        .transpose()?;
    let plan = ReplayPlan {
        tenant_dir: args.tenant.tenant_dir.clone(),
        overrides: args.tenant.overrides(),
        changes: args.changes.spec(),
        dedup: Dedup::On,
        progress: !quiet,
        keep_rows: false,
        event_sample: 0,
        filter: Default::default(),
        assume: careplay::replay::Assumptions {
            user_risk: args.assume_user_risk,
        },
    };
    let prepared = Prepared::new(&plan)?;
    warn_inputs(&prepared.tenant.skipped_lines(), &prepared.tenant.notes);
    let compiled = expect::compile(loaded, &prepared)?;
    let hypotheticals = hypotheticals(&compiled, &prepared.tenant)?;
    let report = expect::evaluate(&prepared, &plan, &compiled, &hypotheticals, args.max_events)?;
    let render = |w: &mut dyn Write| -> std::io::Result<()> {
        match args.format.as_str() {
            "markdown" => expect::render::markdown(&report, w),
            "json" => {
                serde_json::to_writer_pretty(&mut *w, &report)?;
                writeln!(w)
            }
            _ => expect::render::terminal(&report, w),
        }
    };
    if let Some(file) = junit_file {
        let mut f = std::io::BufWriter::new(file.file()?);
        expect::junit::write(&report, &mut f)?;
        f.flush()?;
        drop(f);
        file.commit()?;
    }
    match report_file {
        Some(file) => {
            let mut f = std::io::BufWriter::new(file.file()?);
            render(&mut f)?;
            f.flush()?;
            drop(f);
            file.commit()?;
        }
        None => super::unless_closed_pipe(render(out))?,
    }
    let failed = report.failed();
    if failed > 0 {
        eprintln!(
            "careplay: {failed} of {} expectations failed",
            report.results.len()
        );
    }
    Ok(if failed == 0 { EXIT_OK } else { EXIT_THRESHOLD })
}

/// The facts of every expectation's hypothetical sign-ins, through `whatif`'s flags and
/// `whatif::facts`; every problem is listed with its file and path.
fn hypotheticals(
    compiled: &[expect::Compiled],
    tenant: &Tenant,
) -> Result<Vec<Vec<HypotheticalFacts>>, ExpectError> {
    let mut problems = Vec::new();
    let mut all = Vec::new();
    for c in compiled {
        let mut mine = Vec::new();
        for h in &c.loaded.hypotheticals {
            match one(h, tenant) {
                Ok(f) => mine.push(f),
                Err(m) => problems.push(Problem::new(h.origin.clone(), m)),
            }
        }
        all.push(mine);
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(ExpectError::Invalid(problems))
    }
}

fn one(h: &Hypothetical, tenant: &Tenant) -> Result<HypotheticalFacts, String> {
    let cmd = WhatifFlags::command();
    let mut argv: Vec<String> = Vec::new();
    for (flag, value) in &h.flags {
        if NOT_SIGN_IN_FACTS.contains(&flag.as_str()) {
            return Err(format!(
                "`{flag}` is not a sign-in fact: the tenant and the changes come from the \
                 `careplay test` command line"
            ));
        }
        let Some(arg) = cmd
            .get_arguments()
            .find(|a| a.get_long() == Some(flag.as_str()))
        else {
            return Err(format!(
                "`{flag}` is not a `careplay whatif` flag (see `careplay whatif --help`; \
                 write `user_action` or `user-action` for --user-action)"
            ));
        };
        if arg.get_action().takes_values() {
            argv.push(format!("--{flag}={value}"));
        } else {
            match value.as_str() {
                "true" => argv.push(format!("--{flag}")),
                "false" => {}
                v => return Err(format!("`{flag}`: expected true or false, not `{v}`")),
            }
        }
    }
    let parsed = WhatifFlags::try_parse_from(&argv).map_err(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        first.trim_start_matches("error: ").to_string()
    })?;
    let facts = super::whatif::facts(&parsed.args, tenant)?;
    let device = super::whatif::device_object(&parsed.args, &facts, tenant)?;
    Ok(HypotheticalFacts {
        label: h.label.clone(),
        user: parsed
            .args
            .user
            .clone()
            .or_else(|| parsed.args.service_principal.clone()),
        facts,
        device,
    })
}
