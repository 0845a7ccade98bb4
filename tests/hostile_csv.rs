//! CSV exports with broken rows (issue 19). Each bad row is rejected with its true line
//! (quoted line breaks and blank lines counted) and careplay's own reason; the good rows
//! around it load; the ledger balances. Before the fix (polars' CSV reader) a 2-field row
//! loaded as a sign-in, a field after 8 empty extra ones was dropped, lines after a quoted
//! line break were wrong, and bad quotes or invalid UTF-8 stopped the file with polars'
//! message and no line.

mod common;
#[path = "common/ledger.rs"]
mod ledger;
use common::careplay;
use ledger::careplay_with_limit;

const HEADER: &str =
    "\"Date (UTC)\",\"Request ID\",\"User ID\",\"Application ID\",\"IP address\"\n";

fn row(i: u32) -> String {
    format!("\"2025-12-04T10:00:0{i}Z\",\"r-{i}\",\"u1\",\"a1\",\"192.0.2.{i}\"\n")
}

/// Write `body` after the header as an admin-center CSV, inspect it, and return stdout.
fn inspect(body: &[u8]) -> String {
    inspect_limited(body, None)
}

fn inspect_limited(body: &[u8], limit: Option<usize>) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("InteractiveSignIns_2025-12-04.csv");
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(body);
    std::fs::write(&p, bytes).unwrap();
    let args = ["logs", "inspect", p.to_str().unwrap()];
    let r = match limit {
        Some(n) => careplay_with_limit(n, &args),
        None => careplay(&args),
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("format: portal-csv"), "{}", r.stdout);
    r.stdout
}

fn has(out: &str, what: &str) {
    assert!(out.contains(what), "expected `{what}` in:\n{out}");
}

#[test]
fn a_row_with_too_few_fields_is_rejected() {
    let out = inspect(format!("{}\"2025-12-04T10:00:00Z\",\"r-x\"\n{}", row(1), row(2)).as_bytes());
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)]);
    has(&out, "InteractiveSignIns_2025-12-04.csv:3: row has fewer fields than the header: expected 5 comma-separated fields as in the header, found 2");
}

#[test]
fn a_field_far_past_the_header_is_not_dropped() {
    // Ten empty extra fields, then a value: the row is rejected. Trailing empty fields
    // alone (a trailing comma) are allowed.
    let late = row(2).replace('\n', ",,,,,,,,,,\"late\"\n");
    let trailing = row(3).replace('\n', ",,\n");
    let out = inspect(format!("{}{late}{trailing}", row(1)).as_bytes());
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)]);
    has(&out, ".csv:3: row has more fields than the header: expected 5 comma-separated fields as in the header, found more");
}

#[test]
fn lines_count_quoted_line_breaks_and_blank_lines() {
    // Row 1 spans lines 2-4 (two line breaks inside quotes), then a good row on 5, two
    // blank lines, and a bad row on line 8.
    let spanning = row(1).replace("\"u1\"", "\"u\n1\n\"");
    let out = inspect(
        format!(
            "{spanning}{}\n\n\"bad-date\",\"r-9\",\"u1\",\"a1\",\"192.0.2.9\"\n",
            row(2)
        )
        .as_bytes(),
    );
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)]);
    has(
        &out,
        ".csv:8: bad timestamp: `createdDateTime` is `bad-date`",
    );
}

#[test]
fn bad_quotes_are_rejected_by_line_in_careplays_words() {
    let stray = "\"2025-12-04T10:00:02Z\",\"r-2\"x,\"u1\",\"a1\",\"192.0.2.2\"\n";
    let out = inspect(format!("{}{stray}{}", row(1), row(3)).as_bytes());
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)]);
    has(&out, ".csv:3: malformed CSV: text after the closing quote of a field on line 3 (a `\"` inside a quoted field must be doubled: `\"\"`)");
    assert!(
        !out.contains("polars") && !out.contains("infer_schema"),
        "{out}"
    );
    // A quote never closed swallows the rest of the file into one row: that row is
    // rejected, naming where the quote opened; the rows before it load.
    let open = "\"2025-12-04T10:00:02Z\",\"r-2\",\"u1,\"a1\"\n\"x\n";
    let out = inspect(format!("{}{open}", row(1)).as_bytes());
    let open_row = ledger::rows(&out);
    assert_eq!(open_row[0].1, 1, "{out}");
    has(&out, ".csv:3: malformed CSV");
    let unclosed = format!(
        "{}\"2025-12-04T10:00:02Z\",\"r-2\",\"u1\n{}",
        row(1),
        "tail without a quote\n"
    );
    let out = inspect(unclosed.as_bytes());
    assert_eq!(ledger::rows(&out), vec![(2, 1, 1, 0)]);
    has(&out, ".csv:3: malformed CSV: the quoted field opened on line 3 is never closed: the rest of the file (to line 5) is inside it");
}

#[test]
fn invalid_utf8_names_the_line_and_field() {
    let mut body = row(1).into_bytes();
    body.extend_from_slice(b"\"2025-12-04T10:00:02Z\",\"r-2\",\"u\xff1\",\"a1\",\"192.0.2.2\"\n");
    body.extend_from_slice(row(3).as_bytes());
    let out = inspect(&body);
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)]);
    has(
        &out,
        ".csv:3: malformed CSV: field 3 (`User ID`) is not UTF-8",
    );
}

#[test]
fn a_row_over_the_record_limit_is_skipped_and_counted() {
    // Row 2 is 3,000 quoted lines (~6 KB), row 4 one 5,000-byte field; the limit is 1,000
    // bytes. Both are rejected at their first line without being held; the lines after
    // them stay true.
    let long_quoted = row(2).replace("\"u1\"", &format!("\"{}\"", "x\n".repeat(3000)));
    let long_line = row(4).replace("\"u1\"", &"y".repeat(5000));
    let body = format!(
        "{}{long_quoted}{}{long_line}{}\n\n\n\"bad\",\"r-6\",\"u1\",\"a1\",\"192.0.2.6\"\n",
        row(1),
        row(3),
        row(5)
    );
    let out = inspect_limited(body.as_bytes(), Some(1000));
    assert_eq!(ledger::rows(&out), vec![(6, 3, 3, 0)]);
    has(
        &out,
        ".csv:3: record larger than the limit: the row is longer than 1000 bytes",
    );
    has(&out, ".csv:3005: record larger than the limit");
    has(&out, ".csv:3010: bad timestamp");
    // The default limit (64 MiB) reads the same file whole.
    let out = inspect(body.as_bytes());
    assert_eq!(ledger::rows(&out), vec![(6, 5, 1, 0)]);
}

#[test]
fn many_blank_lines_are_streamed() {
    // 3 million blank lines (polars read the whole file into memory first; a 6 GB one
    // aborted): the rows after them load, on their true line.
    let body = format!("{}{}{}", row(1), "\n".repeat(3_000_000), row(2));
    let out = inspect(body.as_bytes());
    assert_eq!(ledger::rows(&out), vec![(2, 2, 0, 0)]);
}
