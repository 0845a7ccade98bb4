//! Format detection on hostile prefixes (issue 19): a file whose first 64 KiB (the sniff
//! window) are whitespace is not "empty", and a first record without `id` does not make
//! the file "unknown format". Records are kept, counted, and their lines are true.

mod common;
#[path = "common/ledger.rs"]
mod ledger;
use common::careplay;
use std::io::Write;

fn rec(i: u32) -> String {
    format!(
        r#"{{"id":"r-{i}","createdDateTime":"2025-12-04T10:00:0{i}Z","userId":"u1","appId":"a1"}}"#
    )
}

fn inspect(path: &std::path::Path) -> common::Run {
    let r = careplay(&["logs", "inspect", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

#[test]
fn whitespace_beyond_the_sniff_window_is_skipped_with_line_numbers_kept() {
    let tmp = tempfile::tempdir().unwrap();
    // 80,000 lines of blanks (160 KB: more than twice the window), then two records and a
    // bad one on line 80,003.
    let body = format!(
        "{}{}\n{}\n{{\"id\":\"r-3\",\"createdDateTime\":\"later\"}}\n",
        " \n".repeat(80_000),
        rec(1),
        rec(2)
    );
    let plain = tmp.path().join("blank.jsonl");
    std::fs::write(&plain, &body).unwrap();
    let gz = tmp.path().join("blank.jsonl.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    e.write_all(body.as_bytes()).unwrap();
    e.finish().unwrap();
    for p in [&plain, &gz] {
        let r = inspect(p);
        assert_eq!(ledger::rows(&r.stdout), vec![(3, 2, 1, 0)], "{}", r.stdout);
        assert!(r.stdout.contains("format: graph-json"), "{}", r.stdout);
        assert!(r.stdout.contains(":80003: bad timestamp"), "{}", r.stdout);
    }
    // Only whitespace, longer than the window: still empty.
    let blank = tmp.path().join("only_blank.json");
    std::fs::write(&blank, " ".repeat(100_000)).unwrap();
    let r = inspect(&blank);
    assert!(
        r.stdout.contains("warning: the file is empty"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_first_record_without_id_does_not_hide_the_format() {
    let tmp = tempfile::tempdir().unwrap();
    let first = r#"{"createdDateTime":"2025-12-04T10:00:00Z","userId":"u1"}"#;
    let lines = tmp.path().join("noid.jsonl");
    std::fs::write(&lines, format!("{first}\n{}\n{}\n", rec(1), rec(2))).unwrap();
    let array = tmp.path().join("noid.json");
    std::fs::write(&array, format!("[{first},\n{},\n{}]", rec(1), rec(2))).unwrap();
    for p in [&lines, &array] {
        let r = inspect(p);
        assert_eq!(ledger::rows(&r.stdout), vec![(3, 2, 1, 0)], "{}", r.stdout);
        assert!(r.stdout.contains("format: graph-json"), "{}", r.stdout);
        assert!(
            r.stdout
                .contains(":1: missing required field: no request id"),
            "{}",
            r.stdout
        );
    }
    // Objects of no family are still refused, naming the keys of the first one.
    let other = tmp.path().join("other.jsonl");
    std::fs::write(&other, "{\"a\":1}\n{\"b\":2}\n").unwrap();
    let r = careplay(&["logs", "inspect", other.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("unknown sign-in log format: JSON whose first object has keys [a]"),
        "{}",
        r.stderr
    );
}
