//! The whole report as pretty JSON: every row of every table, no cap.

use std::io::{self, Write};

use crate::report::model::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)?;
    writeln!(out)
}
