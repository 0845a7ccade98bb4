//! The `careplay` binary: parse the command line, call the library, map outcomes to exit
//! codes. Nothing else lives here.
//!
//! Exit codes (a contract, tested through the binary): 0 ok, 1 a CI threshold was breached
//! (`--fail-on`, `--fail-below`) or lint found errors, 2 usage or input error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
