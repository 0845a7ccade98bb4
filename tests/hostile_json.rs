//! JSON exports cut short or oversized (issue 19): a Graph page or Event Hub body cut off
//! at the end of the file keeps its complete records and counts the cut one as one
//! rejected row; a record longer than the record limit is rejected and counted, never held
//! whole; the ledger balances.

mod common;
#[path = "common/ledger.rs"]
mod ledger;
use ledger::careplay_with_limit;

fn rec(i: u32) -> String {
    format!(
        r#"{{"id":"r-{i}","createdDateTime":"2025-12-04T10:00:0{}Z","userId":"u1","appId":"a1"}}"#,
        i % 10
    )
}

fn inspect(name: &str, body: &str, limit: usize) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join(name);
    std::fs::write(&p, body).unwrap();
    let r = careplay_with_limit(limit, &["logs", "inspect", p.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn a_cut_page_or_body_keeps_its_complete_records() {
    let recs: Vec<String> = (1..=10).map(rec).collect();
    // Indented, as Graph and Event Hub bodies are written (one line or pretty-printed).
    let whole = recs.join(",\n  ");
    // Cut inside the sixth record: five complete records before the cut.
    let cut_at = whole.find("\"r-6\"").unwrap() + 8;
    let cut = &whole[..cut_at];
    for (name, body) in [
        (
            "page.json",
            format!("{{\"@odata.context\":\"x\",\"value\":[\n  {cut}"),
        ),
        ("eventhub.json", format!("{{\"records\":[\n  {cut}")),
    ] {
        let out = inspect(name, &body, 64 << 20);
        assert_eq!(ledger::rows(&out), vec![(6, 5, 1, 0)], "{name}: {out}");
        assert!(
            out.contains("the 5 complete record(s) before the cut were read"),
            "{name}: {out}"
        );
    }
}

#[test]
fn a_record_over_the_limit_is_rejected_and_the_rest_read() {
    let big = rec(2).replace("\"u1\"", &format!("\"{}\"", "x".repeat(5000)));
    let lines = format!("{}\n{big}\n{}\n", rec(1), rec(3));
    let out = inspect("lines.jsonl", &lines, 1000);
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)], "{out}");
    assert!(
        out.contains("lines.jsonl:2: record larger than the limit"),
        "{out}"
    );
    // The same records as a one-line array: the array is read element by element.
    let array = format!("[{},{big},{}]", rec(1), rec(3));
    let out = inspect("array.json", &array, 1000);
    assert_eq!(ledger::rows(&out), vec![(3, 2, 1, 0)], "{out}");
    assert!(out.contains("record larger than the limit"), "{out}");
}
