//! One self-contained HTML page: inline CSS, no scripts, no external assets; every piece
//! of text from the input is escaped.

use std::io::{self, Write};

use super::{Doc, Section};

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;\
color:#1b1f24;max-width:72rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
p.answer{font-size:1.2rem;font-weight:600;padding:.75rem 1rem;background:#fff4e5;\
border-left:4px solid #d97706}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
p.caption,p.more{color:#57606a;font-size:.9rem}";

pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    let title = if doc.title.is_empty() {
        "careplay impact report"
    } else {
        doc.title.as_str()
    };
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(out, "<title>{}</title>", escape(title))?;
    writeln!(out, "<style>{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<h1>{}</h1>", escape(title))?;
    if !doc.tenant.is_empty() {
        writeln!(out, "<p>Tenant: {}</p>", escape(&doc.tenant))?;
    }
    writeln!(out, "<p class=\"answer\">{}</p>", escape(&doc.headline))?;
    writeln!(out, "<p>{}</p>", escape(&doc.subheadline))?;
    for c in &doc.caveats {
        writeln!(out, "<p class=\"caveat\">{}</p>", escape(c))?;
    }
    for l in &doc.lists {
        list(out, &l.title, &l.items)?;
    }
    for s in &doc.sections {
        table(s, out)?;
    }
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

/// Escape text for element content and double-quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn list(out: &mut dyn Write, title: &str, items: &[String]) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2>{}</h2>", escape(title))?;
    writeln!(out, "<ul>")?;
    for i in items {
        writeln!(out, "<li>{}</li>", escape(i))?;
    }
    writeln!(out, "</ul>")
}

fn table(s: &Section, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<section id=\"{}\">", escape(s.id))?;
    writeln!(out, "<h2>{}</h2>", escape(&s.title))?;
    if let Some(c) = &s.caption {
        writeln!(out, "<p class=\"caption\">{}</p>", escape(c))?;
    }
    if s.rows.is_empty() {
        writeln!(out, "<p>(none)</p>")?;
        return writeln!(out, "</section>");
    }
    writeln!(out, "<table>")?;
    write!(out, "<thead><tr>")?;
    for (i, h) in s.headers.iter().enumerate() {
        write!(out, "<th{}>{}</th>", class(s, i), escape(h))?;
    }
    writeln!(out, "</tr></thead>")?;
    writeln!(out, "<tbody>")?;
    for r in &s.rows {
        write!(out, "<tr>")?;
        for (i, c) in r.iter().enumerate() {
            write!(out, "<td{}>{}</td>", class(s, i), escape(c))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>")?;
    writeln!(out, "</table>")?;
    if let Some(m) = s.more_line() {
        writeln!(out, "<p class=\"more\">{}</p>", escape(&m))?;
    }
    writeln!(out, "</section>")
}

fn class(s: &Section, col: usize) -> &'static str {
    if s.numeric.get(col).copied().unwrap_or(false) {
        " class=\"n\""
    } else {
        ""
    }
}
