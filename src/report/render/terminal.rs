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
    s.chars().map(clean_char).collect()
}

/// The one rule for input-derived text on a terminal: a control character (C0, DEL, C1:
/// ESC starts the sequences that clear the screen or retitle the window) is shown as a
/// space. [`clean`] applies it to a cell, [`TerminalSafe`] to a whole output.
fn clean_char(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

/// A writer for text written to a terminal (`logs inspect`, `logs convert`, `whatif`):
/// every control character but the line breaks the writer itself writes is shown as a
/// space ([`clean_char`]), so a sign-in value or a policy name holding `\u001b[2J` cannot
/// clear the screen. Bytes that are not UTF-8 become U+FFFD. JSON output passes unchanged
/// (serde_json escapes control characters in strings).
pub struct TerminalSafe<'a> {
    inner: &'a mut dyn Write,
    /// The start of a UTF-8 sequence cut by the end of the last write.
    pending: Vec<u8>,
}

impl<'a> TerminalSafe<'a> {
    pub fn new(inner: &'a mut dyn Write) -> TerminalSafe<'a> {
        TerminalSafe {
            inner,
            pending: Vec::new(),
        }
    }

    fn put(&mut self, text: &str) -> io::Result<()> {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            out.push(if c == '\n' { c } else { clean_char(c) });
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl Write for TerminalSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let bytes = std::mem::take(&mut self.pending);
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.put(text)?;
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    // Checked by from_utf8 up to `valid_up_to`.
                    self.put(&String::from_utf8_lossy(valid))?;
                    match e.error_len() {
                        // Cut at the end: wait for the rest of the sequence.
                        None => {
                            self.pending = after.to_vec();
                            break;
                        }
                        Some(n) => {
                            self.put("\u{fffd}")?;
                            rest = &after[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let tail = std::mem::take(&mut self.pending);
            self.put(&String::from_utf8_lossy(&tail))?;
        }
        self.inner.flush()
    }
}

impl Drop for TerminalSafe<'_> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
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
