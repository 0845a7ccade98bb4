//! The `careplay` binary: parse the command line, call the library, map outcomes to exit
//! codes. Nothing else lives here.
//!
//! Exit codes (a contract, tested through the binary): 0 ok, 1 a CI threshold was breached
//! (`--fail-on`, `--fail-below`) or lint found errors, 2 usage or input error.

mod cli;

use std::process::ExitCode;

/// The loader and the report build many short-lived strings on every thread; mimalloc's
/// thread-local free lists cut the time glibc malloc spent consolidating and locking
/// (about a quarter of a replay's profile, issue "Performance"). The library does not
/// choose an allocator; only the binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
