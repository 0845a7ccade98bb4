//! `careplay logs inspect|convert` (owned by the loader work; placeholder until it lands).
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct Args {
    pub paths: Vec<std::path::PathBuf>,
}

pub fn run(_args: &Args, _quiet: bool, _out: &mut dyn Write) -> super::CmdResult {
    Err("logs: not built yet".into())
}
