//! Two layouts, RFC 4180 quoting by the `csv` crate:
//!
//! * [`render`], one stream: one block per table, each with a header row and a leading
//!   `section` column. Blocks have different widths, so read it with a flexible reader
//!   (`csv::ReaderBuilder::new().flexible(true).has_headers(false)`) and split on the rows
//!   whose first field is `section`.
//! * [`tables`], one tidy table per file (`--format csv -o DIR/`, `--table NAME`): a
//!   header and rows of one width, no `section` column and no "(N more)" row, so pandas
//!   and polars read each file without options.
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

/// Each table of `doc` as its own CSV: (file name, bytes). `headline.csv` (`kind`,
/// `text`: the headline, the subheadline and each caveat), one file per list (`changes`,
/// `notes`, `skipped`) and one per section, named by its id. Rows left out by a `top` cap
/// are not mentioned: render the report with no cap for complete tables.
pub(super) fn tables(doc: &Doc) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |id: &str, header: Vec<&str>, rows: Vec<Vec<Cow<'_, str>>>| {
        let bytes = table_bytes(&header, &rows)?;
        // Ids are unique today; a repeated one gets a suffix rather than overwriting.
        let mut name = format!("{id}.csv");
        let mut k = 2;
        while out.iter().any(|(n, _)| *n == name) {
            name = format!("{id}_{k}.csv");
            k += 1;
        }
        out.push((name, bytes));
        io::Result::Ok(())
    };
    let mut head = vec![
        vec![Cow::Borrowed("headline"), defuse(&doc.headline)],
        vec![Cow::Borrowed("subheadline"), defuse(&doc.subheadline)],
    ];
    for c in &doc.caveats {
        head.push(vec![Cow::Borrowed("caveat"), defuse(c)]);
    }
    add("headline", vec!["kind", "text"], head)?;
    for l in &doc.lists {
        let rows = l.items.iter().map(|i| vec![defuse(i)]).collect();
        add(l.id, vec![l.header], rows)?;
    }
    for s in &doc.sections {
        let rows = s
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        if s.numeric.get(i).copied().unwrap_or(false) {
                            Cow::Borrowed(cell.as_str())
                        } else {
                            defuse(cell)
                        }
                    })
                    .collect()
            })
            .collect();
        add(s.id, s.headers.iter().map(String::as_str).collect(), rows)?;
    }
    Ok(out)
}

/// One rectangular CSV: `header`, then `rows`.
fn table_bytes(header: &[&str], rows: &[Vec<Cow<'_, str>>]) -> io::Result<Vec<u8>> {
    let to_io = |e: csv::Error| io::Error::other(e.to_string());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header).map_err(to_io)?;
    for r in rows {
        w.write_record(r.iter().map(|c| c.as_bytes()))
            .map_err(to_io)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Prefix text that a spreadsheet would read as a formula with `'`.
fn defuse(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}
