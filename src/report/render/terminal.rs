//! Plain aligned text tables, no colour or escape codes (safe for pipes, files and logs).
//! Leads with the answer, then the tables, then the input accounting.

use std::io::{self, Write};

use super::{Doc, Section};

pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    if !doc.title.is_empty() {
        writeln!(out, "{}", clean(&doc.title))?;
    }
    if !doc.tenant.is_empty() {
        writeln!(out, "Tenant: {}", clean(&doc.tenant))?;
    }
    writeln!(out, "{}", clean(&doc.headline))?;
    writeln!(out, "{}", clean(&doc.subheadline))?;
    for c in &doc.caveats {
        writeln!(out, "{}", clean(c))?;
    }
    for l in doc.lists.iter().filter(|l| !l.items.is_empty()) {
        writeln!(out)?;
        writeln!(out, "{}:", clean(&l.title))?;
        for c in &l.items {
            writeln!(out, "  - {}", clean(c))?;
        }
    }
    for s in &doc.sections {
        writeln!(out)?;
        table(s, out)?;
    }
    Ok(())
}

/// Control characters (including newlines and ESC) would break the alignment or drive
/// the terminal; show them as spaces.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn table(s: &Section, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", s.title)?;
    writeln!(out, "{}", "=".repeat(width(&s.title)))?;
    if let Some(c) = &s.caption {
        writeln!(out, "{c}")?;
    }
    if s.rows.is_empty() {
        writeln!(out, "(none)")?;
        return Ok(());
    }
    let headers: Vec<String> = s.headers.iter().map(|h| clean(h)).collect();
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| r.iter().map(|c| clean(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(c));
        }
    }
    line(&headers, &widths, &s.numeric, out)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, &widths, &s.numeric, out)?;
    for r in &rows {
        line(r, &widths, &s.numeric, out)?;
    }
    if let Some(m) = s.more_line() {
        writeln!(out, "{m}")?;
    }
    Ok(())
}

fn line(
    cells: &[String],
    widths: &[usize],
    numeric: &[bool],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut text = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            text.push_str("  ");
        }
        let pad = w.saturating_sub(width(c));
        if numeric.get(i).copied().unwrap_or(false) {
            text.push_str(&" ".repeat(pad));
            text.push_str(c);
        } else {
            text.push_str(c);
            text.push_str(&" ".repeat(pad));
        }
    }
    writeln!(out, "{}", text.trim_end())
}
