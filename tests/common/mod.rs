//! Helpers shared by the CLI integration tests: run the real binary from the crate root,
//! and compare with golden files (bless with `CAREPLAY_BLESS=1`).
#![allow(dead_code)]

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

/// Make sure the generated (not committed) contoso sign-ins exist.
pub fn ensure_contoso_logs() -> Option<PathBuf> {
    let signins = root().join("datasets/contoso/signins");
    let marker = root().join("datasets/contoso/signins-manifest.json");
    if marker.exists() && signins.exists() {
        return Some(signins);
    }
    let status = Command::new("python3")
        .arg("datasets/generate.py")
        .arg("contoso")
        .current_dir(root())
        .status();
    match status {
        Ok(s) if s.success() => Some(signins),
        other => {
            eprintln!("SKIP: cannot generate datasets/contoso sign-ins with python3: {other:?}");
            None
        }
    }
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
