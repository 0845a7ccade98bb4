//! `careplay test --junit FILE`: JUnit XML, one test case per expectation, so CI systems
//! (GitHub Actions test reporters, Azure DevOps `PublishTestResults@2` with
//! `testResultsFormat: JUnit`) list each expectation. A failing expectation has one
//! `<failure>` whose `message` is the summary and whose body lists the events that broke
//! it with their explanations.

use std::io::{self, Write};

use super::check::TestReport;

/// Escape text for XML 1.0 element content and double-quoted attributes. Characters XML
/// 1.0 cannot carry at all (most C0 controls) are written as visible `\u{…}` escapes; tab
/// and line breaks are kept in bodies and written as character references in attributes.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => o.push_str(&format!("&#{};", c as u32)),
            '\t' | '\n' | '\r' => o.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                o.extend(c.escape_default())
            }
            c => o.push(c),
        }
    }
    o
}

pub fn write(r: &TestReport, out: &mut dyn Write) -> io::Result<()> {
    let tests = r.results.len();
    let failures = r.failed();
    let suite = format!("careplay test: {}", r.tenant);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="careplay test" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#,
        escape(&suite, true)
    )?;
    writeln!(out, "    <properties>")?;
    for c in &r.changes {
        writeln!(
            out,
            r#"      <property name="change" value="{}"/>"#,
            escape(c, true)
        )?;
    }
    writeln!(
        out,
        r#"      <property name="events_replayed" value="{}"/>"#,
        r.events_replayed
    )?;
    writeln!(out, "    </properties>")?;
    for e in &r.results {
        let open = format!(
            r#"    <testcase name="{}" classname="{}""#,
            escape(&e.name, true),
            escape(&classname(&e.file), true)
        );
        match e.failure_message() {
            None => writeln!(out, "{open}/>")?,
            Some(m) => {
                writeln!(out, "{open}>")?;
                let mut body = format!(
                    "expected: {}{}\nreason: {}\nchecked: {}\nwhere: {}\n",
                    e.expected,
                    if e.for_controls.is_empty() {
                        String::new()
                    } else {
                        format!(" for {}", e.for_controls.join(", "))
                    },
                    e.reason,
                    e.checked(),
                    e.origin
                );
                for f in &e.failures {
                    body.push_str(&format!(
                        "\n{}{}: {} (user {}, app {}, location {})\n  {}\n",
                        if f.hypothetical { "whatif " } else { "" },
                        f.event,
                        f.why,
                        f.user.as_deref().unwrap_or("-"),
                        f.app.as_deref().unwrap_or("-"),
                        f.location,
                        f.explanation
                    ));
                }
                if e.failed > e.failures.len() as u64 {
                    body.push_str(&format!(
                        "\n… and {} more events\n",
                        e.failed - e.failures.len() as u64
                    ));
                }
                writeln!(
                    out,
                    r#"      <failure message="{}" type="expectation">{}</failure>"#,
                    escape(&m, true),
                    escape(&body, false)
                )?;
                writeln!(out, "    </testcase>")?;
            }
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// `careplay.datasets/seed-registration/expectations.yaml` → the file as the class, so
/// reports group expectations by file.
fn classname(file: &str) -> String {
    format!("careplay.{file}")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("a<b>&\"c'\u{1b}[31m\n", true),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1b}[31m&#10;"
        );
        assert_eq!(escape("x\ny\u{0}", false), "x\ny\\u{0}");
    }
}
