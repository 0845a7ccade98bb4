//! `careplay bench` (owned by the performance work; placeholder until it lands).
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct Args {
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: &Args, _out: &mut dyn Write) -> super::CmdResult {
    Err("bench: not built yet".into())
}
