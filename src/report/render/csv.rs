//! One block per table, each with a header row and a leading `section` column, RFC 4180
//! quoting by the `csv` crate. Blocks have different widths, so read it with a flexible
//! reader (`csv::ReaderBuilder::new().flexible(true).has_headers(false)`) and split on the
//! rows whose first field is `section`.
//!
//! Text taken from the logs (display names, UPNs, explanations) is attacker-controlled; a
//! text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`
//! so spreadsheet programs do not run it as a formula (OWASP "CSV injection").

use std::borrow::Cow;
use std::io::{self, Write};

use super::Doc;

pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut *out);
    // An I/O error (a closed pipe) keeps its kind; others become `Other`.
    let to_io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    };

    w.write_record(["section", "headline"]).map_err(to_io)?;
    for line in [&doc.headline, &doc.subheadline]
        .into_iter()
        .chain(&doc.caveats)
    {
        w.write_record(["headline", defuse(line).as_ref()])
            .map_err(to_io)?;
    }

    for l in &doc.lists {
        w.write_record(["section", l.header]).map_err(to_io)?;
        for item in &l.items {
            w.write_record([l.id, defuse(item).as_ref()])
                .map_err(to_io)?;
        }
    }

    for s in &doc.sections {
        let mut header = Vec::with_capacity(s.headers.len() + 1);
        header.push("section");
        header.extend(s.headers.iter().map(String::as_str));
        w.write_record(&header).map_err(to_io)?;
        for r in &s.rows {
            let mut rec = Vec::with_capacity(r.len() + 1);
            rec.push(Cow::Borrowed(s.id));
            for (i, cell) in r.iter().enumerate() {
                let numeric = s.numeric.get(i).copied().unwrap_or(false);
                rec.push(if numeric {
                    Cow::Borrowed(cell.as_str())
                } else {
                    defuse(cell)
                });
            }
            w.write_record(rec.iter().map(|c| c.as_bytes()))
                .map_err(to_io)?;
        }
        if let Some(m) = s.more_line() {
            // Same width as the block so strict readers of one block still parse it.
            let mut rec = vec![s.id.to_owned(), m];
            rec.resize(s.headers.len() + 1, String::new());
            w.write_record(&rec).map_err(to_io)?;
        }
    }
    w.flush()
}

/// Prefix text that a spreadsheet would read as a formula with `'`.
fn defuse(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}
