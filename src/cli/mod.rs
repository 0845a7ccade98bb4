//! Command-line interface: clap types and one file per subcommand.

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

pub mod bench;
pub mod fetch;
mod gate;
pub mod logs;
mod output;
pub mod policies;
pub mod replay;
pub mod test;
pub mod verify;
pub mod whatif;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a CI threshold was breached, or lint reported errors.
pub const EXIT_THRESHOLD: u8 = 1;
/// Exit code: usage or input error.
pub const EXIT_ERROR: u8 = 2;

/// Result of a subcommand: an exit code, or an error message printed to stderr (exit 2).
pub type CmdResult = Result<u8, Box<dyn std::error::Error>>;

#[derive(Parser, Debug)]
#[command(
    name = "careplay",
    version,
    about = "Replay exported Entra ID sign-in logs against Conditional Access policies",
    long_about = "Replay exported Microsoft Entra ID sign-in logs against Conditional Access \
policies and report who would be blocked or challenged, and why, before a report-only \
policy is switched On.",
    after_help = "Exit codes: 0 ok; 1 a --fail-on/--fail-below threshold was breached (or lint \
errors, or a `careplay test` expectation failed); 2 usage or input error."
)]
pub struct Cli {
    /// No progress bars.
    #[arg(long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, validate, summarize and lint Conditional Access policy files.
    Policies(policies::Args),
    /// Inspect and convert sign-in log exports.
    Logs(logs::Args),
    /// Baseline vs candidate impact report: who would be blocked or challenged, and why.
    Replay(Box<replay::Args>),
    /// One hypothetical sign-in against a tenant snapshot (offline What If).
    Whatif(Box<whatif::Args>),
    /// Check regression expectations (YAML/JSON) against the candidate policy set.
    Test(Box<test::Args>),
    /// Compare careplay with the per-policy results Entra itself logged.
    Verify(Box<verify::Args>),
    /// Performance figures: load + replay throughput, memory, dedup ratio, thread scaling.
    Bench(bench::Args),
    /// Write a tenant folder from Microsoft Graph (and Log Analytics).
    Fetch(Box<fetch::Args>),
}

/// A closed stdout pipe (`careplay replay … | head`) is the reader's choice, not an error,
/// but the run must still reach its gates: returning early with exit 0 would let
/// `--fail-on` pass whenever the report was cut off.
pub(crate) fn unless_closed_pipe(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

pub fn main() -> ExitCode {
    use careplay::report::render::TerminalSafe;
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match &cli.command {
        Command::Policies(a) => policies::run(a, &mut out),
        // Rejection examples and policy names are input text: no raw control character
        // may reach the terminal (issue 19).
        Command::Logs(a) => logs::run(a, cli.quiet, &mut TerminalSafe::new(&mut out)),
        Command::Replay(a) => replay::run(a, cli.quiet, &mut out),
        Command::Whatif(a) => whatif::run(a, &mut TerminalSafe::new(&mut out)),
        Command::Test(a) => test::run(a, cli.quiet, &mut out),
        Command::Verify(a) => verify::run(a, cli.quiet, &mut out),
        Command::Bench(a) => bench::run(a, &mut out),
        Command::Fetch(a) => fetch::run(a, cli.quiet, &mut out),
    };
    let _ = out.flush();
    match result {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`careplay … | head`) is the reader's choice, not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            // Errors quote file content (a policy name, a CSV cell): through the same filter.
            let mut err = std::io::stderr();
            let _ = writeln!(TerminalSafe::new(&mut err), "error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
