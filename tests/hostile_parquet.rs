//! Corrupted Parquet (issue 19): polars 0.55 panics on some damaged files (a footer thrift
//! field, a data page whose lengths disagree). Every command that reads logs must stop with
//! exit 2 naming the file and what failed, never exit 101. The two fixtures are byte-flipped
//! copies of `logs convert`'s output for tests/fixtures/signin/graph_ndjson.jsonl that made
//! the binary panic before the fix (fuzz/seeds/signin_parquet is the intact file).

mod common;
use common::{careplay, root};

const CORRUPT: &[&str] = &[
    "tests/fixtures/hostile/parquet_footer_thrift.parquet",
    "tests/fixtures/hostile/parquet_page_unwrap.parquet",
];

fn assert_load_error(args: &[&str], file: &str) {
    let r = careplay(args);
    assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("{args:?}: no error line: {}", r.stderr));
    assert!(
        line.contains(file) && line.contains("cannot read Parquet: the file is corrupted"),
        "{args:?}: {line}"
    );
}

#[test]
fn corrupted_parquet_is_a_load_error_in_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.parquet");
    let out = out.to_str().unwrap();
    for f in CORRUPT {
        assert_load_error(&["logs", "inspect", f], f);
        assert_load_error(&["logs", "convert", f, "-o", out], f);
        let seed = "datasets/seed-registration";
        assert_load_error(&["replay", seed, "--logs", f], f);
        assert_load_error(&["replay", seed, "--logs", f, "--stream"], f);
        assert_load_error(&["verify", seed, "--logs", f], f);
    }
}

#[test]
fn truncated_parquet_names_the_missing_footer() {
    let good =
        std::fs::read(root().join("fuzz/seeds/signin_parquet/graph_ndjson.parquet")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let cut = tmp.path().join("cut.parquet");
    std::fs::write(&cut, &good[..good.len() / 2]).unwrap();
    let r = careplay(&["logs", "inspect", cut.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cut.parquet: cannot read Parquet: the file does not end with `PAR1`"),
        "{}",
        r.stderr
    );
    // The intact file still loads: the check does not reject good files.
    let r = careplay(&[
        "logs",
        "inspect",
        "fuzz/seeds/signin_parquet/graph_ndjson.parquet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("rows: read 2, loaded 2, rejected 0, duplicates 0"),
        "{}",
        r.stdout
    );
}
