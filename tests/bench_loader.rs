//! The JSON reader parses blocks of texts in parallel on a multi-thread rayon pool and one
//! text at a time on a 1-thread pool (the slow twin). Both must give the same load: same
//! records in the same order, same ledger (rejections, warnings, line numbers), same file
//! of origin. Checked on every JSON fixture family (malformed ones included), the seed
//! tenant's exports and a generated perf file bigger than one parse block. On that file
//! the parallel reader maps the file chunk by chunk; it must also equal its read(2) twin
//! (`LoadOptions::no_mmap`).

use std::path::PathBuf;
use std::process::Command;

mod common;

use careplay::signin::{self, LoadOptions, Loaded};
use common::root;

fn load_on(threads: usize, paths: &[PathBuf]) -> Loaded {
    load_with(threads, paths, &LoadOptions::default())
}

fn load_with(threads: usize, paths: &[PathBuf], opts: &LoadOptions) -> Loaded {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| signin::load(paths, opts)).expect("load")
}

/// The default two-thread load (mapped when the file is big enough) equals the one read
/// through read(2).
fn assert_mapped_same(path: &std::path::Path) {
    let paths = [path.to_path_buf()];
    let mapped = load_on(2, &paths);
    let opts = LoadOptions {
        no_mmap: true,
        ..LoadOptions::default()
    };
    let read = load_with(2, &paths, &opts);
    assert_eq!(mapped.records, read.records, "{path:?}");
    assert_eq!(mapped.ledger, read.ledger, "{path:?}");
}

fn assert_same(paths: &[PathBuf]) -> usize {
    let one = load_on(1, paths);
    let two = load_on(2, paths);
    assert_eq!(one.records.len(), two.records.len(), "{paths:?}");
    for (i, (a, b)) in one.records.iter().zip(&two.records).enumerate() {
        assert_eq!(a, b, "record {i} of {paths:?}");
    }
    assert_eq!(one.file_of, two.file_of, "{paths:?}");
    assert_eq!(one.ledger, two.ledger, "{paths:?}");
    one.ledger.files.iter().map(|f| f.rows_read as usize).sum()
}

#[test]
fn json_fixtures_load_the_same_on_one_and_two_threads() {
    let dir = root().join("tests/fixtures/signin");
    let mut rows = 0;
    for name in common::JSON_FIXTURES {
        rows += assert_same(&[dir.join(name)]);
    }
    assert!(rows > 0);
}

#[test]
fn seed_exports_load_the_same_on_one_and_two_threads() {
    let rows = assert_same(&[root().join("datasets/seed-registration/signins")]);
    assert!(rows > 100, "{rows} rows");
}

#[test]
fn generated_perf_file_loads_the_same_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("perf-2500.ndjson");
    let status = Command::new("python3")
        .arg(root().join("datasets/generate.py"))
        .args(["perf", "--records", "2500", "--out"])
        .arg(&out)
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        eprintln!("skipped: python3 datasets/generate.py perf failed: {status:?}");
        return;
    }
    // 2500 texts: more than one parse block of the parallel reader, and more than one
    // chunk (8 MiB), the size from which the file is mapped.
    assert!(
        std::fs::metadata(&out).expect("size").len() > 8 << 20,
        "the generated file should span more than one 8 MiB chunk"
    );
    assert_eq!(assert_same(std::slice::from_ref(&out)), 2500);
    assert_mapped_same(&out);
    // A truncated last line and a garbage line in the middle keep their line numbers.
    let text = std::fs::read_to_string(&out).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(1500, "this is not json");
    let last = lines.len() - 1;
    let cut = &lines[last][..lines[last].len() / 2];
    lines[last] = cut;
    let broken = dir.path().join("broken.ndjson");
    std::fs::write(&broken, lines.join("\n")).expect("write");
    assert_eq!(assert_same(std::slice::from_ref(&broken)), 2501);
    assert_mapped_same(&broken);
    let l = load_on(2, &[broken]);
    assert_eq!(l.records.len(), 2499);
    assert_eq!(l.ledger.files[0].rows_rejected, 2);
}
