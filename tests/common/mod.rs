//! Helpers shared by the CLI integration tests: run the real binary from the crate root,
//! and compare with golden files (bless with `CAREPLAY_BLESS=1`).
#![allow(dead_code)]

pub mod graph_server;
pub mod twins;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Every JSON sign-in fixture family under tests/fixtures/signin (malformed ones included),
/// for tests that compare two ways of loading the same input.
pub const JSON_FIXTURES: &[&str] = &[
    "eventhub.json",
    "graph_beta_array.json",
    "graph_concat.json",
    "graph_ndjson.jsonl",
    "graph_v1_page.json",
    "la_noninteractive.json",
    "diag_tree",
    "malformed/bad_values.jsonl",
    "malformed/not_objects.json",
    "malformed/truncated.jsonl",
];

/// Copy a folder recursively (tests work on copies: they never write into datasets/).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A copy of the seed tenant: (the temporary folder, which removes it when dropped; the
/// tenant folder `<temporary>/seed`).
pub fn seed_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("seed");
    copy_dir(&root().join("datasets/seed-registration"), &dir);
    (tmp, dir)
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `careplay ARGS` with the crate root as working directory (so paths in reports are
/// the same relative paths on every machine).
pub fn careplay(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run careplay: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `careplay ARGS`, require exit code 0 (stderr shown otherwise) and parse stdout as
/// JSON.
pub fn careplay_json(args: &[&str]) -> serde_json::Value {
    let r = careplay(args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", r.stdout))
}

/// Compare `actual` with the golden file `rel` (relative to the crate root). With
/// `CAREPLAY_BLESS=1` the golden is (re)written instead: review the diff before committing.
pub fn golden(rel: &str, actual: &str) {
    let path = root().join(rel);
    if std::env::var_os("CAREPLAY_BLESS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden {} unreadable ({e}); create it with CAREPLAY_BLESS=1 cargo test",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             If the change is intended, bless it: CAREPLAY_BLESS=1 cargo test, then review \
             `git diff {}`.",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>"),
            rel
        );
    }
}

/// Running under CI (`CI=true`, as .ci/run is run): there an optional measurement that
/// the platform may refuse must be there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `../shared/datasets/real/SUB`: public exports that are not redistributed with the crate.
/// Every test that calls this is `#[ignore = "needs ../shared/datasets/real …"]`, so a
/// plain `cargo test` on a machine without `../shared` lists it as ignored (counted on the
/// closing line) instead of passing without running; `.ci/run` runs it with
/// `--include-ignored`. Run explicitly, a missing folder is a failure, never a skip.
pub fn real_datasets(sub: &str) -> PathBuf {
    let p = root().join("../shared/datasets/real").join(sub);
    assert!(
        p.exists(),
        "{} is absent: this test needs the public samples of ../shared/datasets/real; \
         run the ignored tests only where ../shared sits beside the crate",
        p.display()
    );
    p
}

/// Run `python3 datasets/generate.py ARGS` from the crate root. python3 is a documented
/// prerequisite of the test suite (README), so a generator that cannot run is a failure.
pub fn generate(args: &[&str]) {
    let out = Command::new("python3")
        .arg("datasets/generate.py")
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (a test prerequisite): {e}"));
    assert!(
        out.status.success(),
        "python3 datasets/generate.py {} failed ({}):\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The generated (git-ignored) contoso sign-ins, generated when absent or older than the
/// generator (a stale copy would compare yesterday's logs with today's goldens).
pub fn ensure_contoso_logs() -> PathBuf {
    let signins = root().join("datasets/contoso/signins");
    let marker = root().join("datasets/contoso/signins-manifest.json");
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (mtime(&marker), mtime(&root().join("datasets/generate.py"))) {
        (Some(made), Some(generator)) => made >= generator,
        _ => false,
    };
    if !(fresh && signins.is_dir()) {
        generate(&["contoso"]);
    }
    signins
}

/// A Graph beta NDJSON file of `records` sign-ins from the perf generator (contoso
/// tenant, default seed), made once per generator version in cargo's scratch folder for
/// integration tests and shared by the test binaries that need it.
pub fn perf_file(records: usize) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let generator = std::fs::read(root().join("datasets/generate.py")).expect("generate.py");
    // SipHash with fixed keys: the same name for the same generator on every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    generator.hash(&mut h);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let out = dir.join(format!("perf-{records}-{:016x}.ndjson", h.finish()));
    if !out.exists() {
        // Written under a per-process name and renamed: two test binaries never see half
        // a file.
        let part = dir.join(format!("{}.part{}", out.display(), std::process::id()));
        let part_s = part.to_str().expect("utf-8 path").to_string();
        generate(&["perf", "--records", &records.to_string(), "--out", &part_s]);
        std::fs::rename(&part, &out).expect("rename the generated perf file");
    }
    out
}
