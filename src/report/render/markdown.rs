//! GitHub-flavoured Markdown: the answer as a heading-level paragraph, then GFM tables.

use std::io::{self, Write};

use super::{Doc, Section};

pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    let title = if doc.title.is_empty() {
        "careplay impact report"
    } else {
        doc.title.as_str()
    };
    writeln!(out, "# {}", inline(title))?;
    writeln!(out)?;
    if !doc.tenant.is_empty() {
        writeln!(out, "Tenant: {}", inline(&doc.tenant))?;
        writeln!(out)?;
    }
    writeln!(out, "**{}**", inline(&doc.headline))?;
    writeln!(out)?;
    writeln!(out, "{}", inline(&doc.subheadline))?;
    for c in &doc.caveats {
        writeln!(out)?;
        writeln!(out, "**{}**", inline(c))?;
    }
    for l in doc.lists.iter().filter(|l| !l.items.is_empty()) {
        writeln!(out)?;
        writeln!(out, "## {}", inline(&l.title))?;
        writeln!(out)?;
        for c in &l.items {
            writeln!(out, "- {}", inline(c))?;
        }
    }
    for s in &doc.sections {
        writeln!(out)?;
        table(s, out)?;
    }
    Ok(())
}

/// Text inside a paragraph or a table cell: no line breaks, and the characters that
/// Markdown or GFM tables would interpret are backslash-escaped; `<`/`>`/`&` become
/// entities so no raw HTML reaches a renderer.
pub(crate) fn inline(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' | '\n' | '\t' => o.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                o.push('\\');
                o.push(c);
            }
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn table(s: &Section, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## {}", inline(&s.title))?;
    writeln!(out)?;
    if let Some(c) = &s.caption {
        writeln!(out, "_{}_", inline(c))?;
        writeln!(out)?;
    }
    if s.rows.is_empty() {
        writeln!(out, "(none)")?;
        return Ok(());
    }
    let head: Vec<String> = s.headers.iter().map(|h| inline(h)).collect();
    writeln!(out, "| {} |", head.join(" | "))?;
    let rule: Vec<&str> = s
        .numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    writeln!(out, "| {} |", rule.join(" | "))?;
    for r in &s.rows {
        let cells: Vec<String> = r.iter().map(|c| inline(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    if let Some(m) = s.more_line() {
        writeln!(out)?;
        writeln!(out, "{m}")?;
    }
    Ok(())
}
