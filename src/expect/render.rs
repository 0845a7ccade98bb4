//! `careplay test` results as terminal text and as Markdown (job summaries). Every value
//! that comes from logs, policies or the expectations file is escaped: control characters
//! would drive a terminal, and Markdown syntax would reshape a summary.

use std::io::{self, Write};

use super::check::{ExpectationResult, TestReport};
use crate::report::render::markdown::inline;

/// Text for a terminal: control characters (ESC, newlines, …) shown as escapes
/// (`\u{1b}`), so a value can neither move the cursor nor forge a PASS line.
pub fn clean(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            o.extend(c.escape_default());
        } else {
            o.push(c);
        }
    }
    o
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

pub fn terminal(r: &TestReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "careplay test: tenant {}, {} events replayed; expectations checked against the candidate",
        clean(&r.tenant),
        r.events_replayed
    )?;
    for c in &r.changes {
        writeln!(out, "  {}", clean(c))?;
    }
    writeln!(out)?;
    for e in &r.results {
        result(e, r.max_events, out)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", headline(r))
}

fn result(e: &ExpectationResult, max: usize, out: &mut dyn Write) -> io::Result<()> {
    let tag = if e.passed() { "PASS" } else { "FAIL" };
    writeln!(out, "{tag}  {} ({})", clean(&e.name), clean(&e.checked()))?;
    if let Some(m) = e.failure_message() {
        writeln!(out, "      expected: {}{}", e.expected, for_text(e))?;
        writeln!(out, "      reason: {}", clean(&e.reason))?;
        writeln!(out, "      {}", clean(&m))?;
        for f in &e.failures {
            let kind = if f.hypothetical { "whatif " } else { "" };
            writeln!(
                out,
                "      - {kind}{}  user {}  app {}  location {}: {}",
                clean(&f.event),
                clean(opt(&f.user)),
                clean(opt(&f.app)),
                clean(&f.location),
                clean(&f.why)
            )?;
            writeln!(out, "        {}", clean(&f.explanation))?;
        }
        if e.failed > e.failures.len() as u64 {
            writeln!(
                out,
                "      … and {} more (--max-events {max} lists the first {max})",
                e.failed - e.failures.len() as u64
            )?;
        }
    }
    for (why, n) in &e.undetermined_by_reason {
        writeln!(
            out,
            "      note: {n} event{} could not be matched against the selector: {why}",
            if *n == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

fn for_text(e: &ExpectationResult) -> String {
    if e.for_controls.is_empty() {
        String::new()
    } else {
        format!(" for {}", clean(&e.for_controls.join(", ")))
    }
}

fn headline(r: &TestReport) -> String {
    let n = r.results.len();
    format!(
        "{} passed, {} failed ({n} expectation{})",
        n - r.failed(),
        r.failed(),
        if n == 1 { "" } else { "s" }
    )
}

pub fn markdown(r: &TestReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## careplay test: {}", headline(r))?;
    writeln!(out)?;
    writeln!(
        out,
        "Tenant {}, {} events replayed; expectations checked against the candidate ({}).",
        inline(&r.tenant),
        r.events_replayed,
        inline(&r.changes.join("; "))
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| result | expectation | expected | checked | failure |"
    )?;
    writeln!(out, "| --- | --- | --- | --- | --- |")?;
    for e in &r.results {
        writeln!(
            out,
            "| {} | {} | {}{} | {} | {} |",
            if e.passed() { "PASS" } else { "**FAIL**" },
            inline(&e.name),
            e.expected,
            inline(&for_text(e)),
            inline(&e.checked()),
            inline(&e.failure_message().unwrap_or_default())
        )?;
    }
    for e in r.results.iter().filter(|e| !e.passed()) {
        writeln!(out)?;
        writeln!(out, "### FAIL: {}", inline(&e.name))?;
        writeln!(out)?;
        writeln!(out, "Reason: {}", inline(&e.reason))?;
        writeln!(out)?;
        writeln!(out, "{}", inline(&e.failure_message().unwrap_or_default()))?;
        if e.failures.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(
            out,
            "| event | user | app | location | outcome | why | explanation |"
        )?;
        writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |")?;
        for f in &e.failures {
            let event = if f.hypothetical {
                format!("whatif {}", f.event)
            } else {
                f.event.clone()
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                inline(&event),
                inline(opt(&f.user)),
                inline(opt(&f.app)),
                inline(&f.location),
                f.outcome,
                inline(&f.why),
                inline(&f.explanation)
            )?;
        }
        if e.failed > e.failures.len() as u64 {
            writeln!(out)?;
            writeln!(
                out,
                "… and {} more events",
                e.failed - e.failures.len() as u64
            )?;
        }
    }
    Ok(())
}
