//! Malformed input per format: every bad row is rejected with a reason naming file:line
//! and what was expected, and the counts add up.

use careplay::signin::{self, FileLedger, LoadError, LoadOptions, RejectKind};
use std::path::PathBuf;

fn fx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signin/malformed")
        .join(name)
}

fn file(name: &str, opts: &LoadOptions) -> (FileLedger, Vec<String>) {
    let l = signin::load(&[fx(name)], opts).expect("load");
    let ids = l.records.iter().map(|r| r.event_id.clone()).collect();
    (l.ledger.files[0].clone(), ids)
}

fn examples(f: &FileLedger, k: RejectKind) -> Vec<String> {
    f.rejected
        .get(&k)
        .map(|s| s.examples.clone())
        .unwrap_or_default()
}

#[test]
fn truncated_json_lines_resynchronise() {
    let (f, ids) = file("truncated.jsonl", &LoadOptions::default());
    assert_eq!((f.rows_read, f.rows_loaded, f.rows_rejected), (4, 2, 2));
    assert_eq!(
        ids,
        vec!["t-1", "t-3"],
        "the line after the broken one is still read"
    );
    let ex = examples(&f, RejectKind::TruncatedJson);
    assert_eq!(ex.len(), 2);
    assert!(ex[0].ends_with("truncated.jsonl:2: truncated JSON: the JSON text starting here ends at line 2 before its closing bracket (expected a complete object)"), "{}", ex[0]);
    assert!(ex[1].contains("truncated.jsonl:4: "), "{}", ex[1]);
}

#[test]
fn bad_ip_timestamp_missing_id_and_bad_boolean() {
    // A bad timestamp or a missing id rejects the row; a non-IP `ipAddress` and a
    // non-boolean `isCompliant` only make that fact Unknown: the row loads with a counted
    // warning (issue 17).
    let (f, ids) = file("bad_values.jsonl", &LoadOptions::default());
    assert_eq!((f.rows_read, f.rows_loaded, f.rows_rejected), (5, 3, 2));
    assert_eq!(ids, vec!["b-1", "b-4", "b-5"]);
    let warned = |k: signin::unreadable::Unreadable| {
        f.unreadable
            .get(&k)
            .map(|s| s.examples.clone())
            .unwrap_or_default()
    };
    let ip = warned(signin::unreadable::Unreadable::IpAddress);
    assert!(ip[0].ends_with("bad_values.jsonl:1: ipAddress not an IP address: `<IP ADDRESS>` (IP address and IP named locations unknown; the row is loaded)"), "{ip:?}");
    let ts = examples(&f, RejectKind::BadTimestamp);
    assert!(ts[0].contains("bad_values.jsonl:2: bad timestamp: `createdDateTime` is `12th of January`: expected an ISO-8601"), "{}", ts[0]);
    let id = examples(&f, RejectKind::MissingRequired);
    assert!(
        id[0].contains("bad_values.jsonl:3: missing required field: no request id"),
        "{}",
        id[0]
    );
    let b = warned(signin::unreadable::Unreadable::IsCompliant);
    assert!(
        b[0].contains(":5: deviceDetail.isCompliant not a boolean: `perhaps`"),
        "{b:?}"
    );
}

#[test]
fn array_elements_that_are_not_objects() {
    let (f, ids) = file("not_objects.json", &LoadOptions::default());
    assert_eq!((f.rows_read, f.rows_loaded, f.rows_rejected), (4, 1, 3));
    assert_eq!(ids, vec!["n-1"]);
    let ex = examples(&f, RejectKind::NotAnObject);
    assert!(
        ex[0].ends_with(
            "not_objects.json:1: not an object: found a number: expected a sign-in JSON object"
        ),
        "{}",
        ex[0]
    );
    assert!(ex[2].contains("found null"));
}

#[test]
fn wrong_delimiter_is_an_unknown_format_with_a_hint() {
    let err = signin::load(&[fx("semicolon.csv")], &LoadOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LoadError::UnknownFormat { .. }));
    assert!(
        msg.contains("semicolon.csv: unknown sign-in log format: CSV header is ';'-delimited"),
        "{msg}"
    );
    assert!(
        msg.contains("first bytes: `\"Date (UTC)\";\"Request ID\""),
        "{msg}"
    );
}

#[test]
fn extra_fields_in_a_row_are_rejected_not_truncated() {
    let (f, ids) = file("ragged.csv", &LoadOptions::default());
    assert_eq!((f.rows_read, f.rows_loaded, f.rows_rejected), (2, 1, 1));
    assert_eq!(ids, vec!["r-1"]);
    let ex = examples(&f, RejectKind::RaggedRow);
    assert!(ex[0].ends_with("ragged.csv:3: row has more fields than the header: expected 3 comma-separated fields as in the header, found more (wrong delimiter or unquoted comma?)"), "{}", ex[0]);
}

#[test]
fn missing_required_column() {
    // Without a request-id column the header is not recognised at all...
    let err = signin::load(&[fx("missing_id.csv")], &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a known CSV header: `\"Date (UTC)\",\"User\",\"IP address\"`"),
        "{err}"
    );
    // ...and forcing the format rejects every row with the reason.
    let forced = LoadOptions {
        format: Some(signin::Format::PortalCsv),
        progress: false,
        ..LoadOptions::default()
    };
    let (f, ids) = file("missing_id.csv", &forced);
    assert!(ids.is_empty());
    assert_eq!((f.rows_read, f.rows_rejected), (2, 2));
    let ex = examples(&f, RejectKind::MissingRequired);
    assert!(ex[1].ends_with("missing_id.csv:3: missing required field: the header has no request-id column (expected `Request ID` or `Id`)"), "{}", ex[1]);
}

#[test]
fn invalid_json_inside_a_page_names_the_absolute_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("page.json");
    std::fs::write(
        &p,
        "\n\n{\"value\": [\n  {\"id\": \"ok-1\", \"createdDateTime\": \"2026-01-01T00:00:00Z\"},\n  {\"id\": \"x\",, }\n]}\n{\"id\":\"after\",\"createdDateTime\":\"2026-01-01T00:00:01Z\"}\n",
    )
    .unwrap();
    let l = signin::load(&[p], &LoadOptions::default()).unwrap();
    let f = &l.ledger.files[0];
    assert_eq!((f.rows_read, f.rows_loaded, f.rows_rejected), (3, 2, 1));
    let ex = &f.rejected[&RejectKind::InvalidJson].examples[0];
    assert!(ex.contains("page.json:3: invalid JSON: at line 5 column 14: key must be a string; the 1 record(s) before it in this text were read, the rest was not"), "{ex}");
}

#[test]
fn lf_and_crlf_and_bom_do_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("crlf.jsonl");
    std::fs::write(
        &p,
        "\u{feff}{\"id\":\"c-1\",\"createdDateTime\":\"2026-01-01T00:00:00Z\"}\r\n{\"id\":\"c-2\",\"createdDateTime\":\"2026-01-01T00:00:01Z\"}\r\n",
    )
    .unwrap();
    let l = signin::load(&[p], &LoadOptions::default()).unwrap();
    assert_eq!(l.ledger.rows_loaded(), 2);
    assert_eq!(l.ledger.rows_rejected(), 0);
}
