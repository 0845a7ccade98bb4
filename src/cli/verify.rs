//! `careplay verify TENANT_DIR`: measure careplay against Entra's own logged decisions.

use std::io::Write;
use std::path::PathBuf;

use careplay::report::{self, Format};
use careplay::verify::{self, VerifyPlan};

use super::output::OutputFile;
use super::replay::TenantArgs;
use super::{CmdResult, EXIT_OK, EXIT_THRESHOLD};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 ok; 1 agreement below --fail-below; 2 usage or input error.\n\
Example: careplay verify datasets/contoso --fail-below 95"
)]
pub struct Args {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Folder of dated policy snapshots (subfolders named 2026-10-01 or
    /// 2026-10-01T12:00:00Z): each event is compared with the version in force at its time.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "terminal", value_parser = ["terminal", "json", "csv", "markdown", "html"])]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rows per table in text formats (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// User risk to assume where the directory snapshot gives none (see `replay --help`).
    #[arg(long, value_name = "LEVEL", value_parser = super::replay::parse_risk_arg)]
    pub assume_user_risk: Option<careplay::model::RiskLevel>,
    /// CI gate: exit 1 when agreement (over decided pairs) is below PCT.
    #[arg(long, value_name = "PCT")]
    pub fail_below: Option<f64>,
}

pub fn run(args: &Args, quiet: bool, out: &mut dyn Write) -> CmdResult {
    let format: Format = args.format.parse()?;
    let mut inputs = super::replay::inputs_of(&args.tenant, &Default::default());
    inputs.extend(args.history.iter().cloned());
    let report_file = args
        .output
        .as_deref()
        .map(|p| OutputFile::prepare(p, &inputs))
        .transpose()?;
    let plan = VerifyPlan {
        tenant_dir: args.tenant.tenant_dir.clone(),
        overrides: args.tenant.overrides(),
        history: args.history.clone(),
        progress: !quiet,
        assume: careplay::replay::Assumptions {
            user_risk: args.assume_user_risk,
        },
    };
    let r = verify::run_verify(&plan)?;
    super::replay::warn_inputs(&r.skipped_inputs, &[]);
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        if format == Format::Json {
            // `From` keeps the I/O error's kind, so a closed pipe stays a closed pipe.
            serde_json::to_writer_pretty(&mut *w, &r).map_err(std::io::Error::from)?;
            writeln!(w)
        } else {
            report::render_doc(&verify::render::document(&r, args.top), format, w)
        }
    };
    match report_file {
        Some(file) => {
            let mut f = std::io::BufWriter::new(file.file()?);
            write(&mut f)?;
            f.flush()?;
            drop(f);
            file.commit()?;
        }
        None => super::unless_closed_pipe(write(out))?,
    }
    if let Some(min) = args.fail_below {
        if !r.skipped_inputs.is_empty() {
            eprintln!(
                "careplay: --fail-below {min}% fails: the answer is partial ({} policy input(s) \
                 skipped by --keep-going)",
                r.skipped_inputs.len()
            );
            return Ok(EXIT_THRESHOLD);
        }
        if r.agreement_pct < min {
            eprintln!(
                "careplay: agreement {} is below --fail-below {min}%",
                careplay::report::pct::versus(r.agreement_pct, min)
            );
            return Ok(EXIT_THRESHOLD);
        }
    }
    Ok(EXIT_OK)
}
