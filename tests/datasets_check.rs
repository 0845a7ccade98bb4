//! `python3 datasets/generate.py check --quick` (run by .ci/run, without --quick) passes on
//! the shipped tree, ignores what the generator does not write (careplay's golden reports
//! under expected/), and fails naming the file when a generated file is edited, removed,
//! left over or broken. Edits are made in a copy of datasets/ in a temp dir (`--datasets`).

mod common;

use std::path::Path;
use std::process::Command;

use common::root;

/// Run the quick check on `datasets`; (exit code, stderr).
fn check(datasets: &Path) -> (i32, String, String) {
    let out = Command::new("python3")
        .arg(root().join("datasets/generate.py"))
        .args(["check", "--quick", "--datasets"])
        .arg(datasets)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (a test prerequisite): {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// A copy of the committed tenants (contoso's generated sign-ins left out: big, and not
/// the quick check's business).
fn copy_of_datasets() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for tenant in ["seed-registration", "contoso"] {
        let src = root().join("datasets").join(tenant);
        let dst = dir.path().join(tenant);
        std::fs::create_dir_all(&dst).expect("mkdir");
        for e in std::fs::read_dir(&src).expect("tenant") {
            let e = e.expect("entry");
            let name = e.file_name();
            if name == "signins" && tenant == "contoso" || name == "signins-manifest.json" {
                continue;
            }
            if e.path().is_dir() {
                copy_tree(&e.path(), &dst.join(&name));
            } else {
                std::fs::copy(e.path(), dst.join(&name)).expect("copy");
            }
        }
    }
    dir
}

#[test]
fn the_check_passes_on_the_shipped_tree() {
    let (code, stdout, stderr) = check(&root().join("datasets"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("check: ok"), "{stdout}");
}

#[test]
fn the_check_ignores_what_the_generator_does_not_write() {
    let d = copy_of_datasets();
    // A re-blessed golden report and a new one: careplay's tests write these.
    let golden = d.path().join("seed-registration/expected/report.md");
    std::fs::write(&golden, "re-blessed\n").expect("write");
    std::fs::write(d.path().join("contoso/expected/new.md"), "new\n").expect("write");
    let (code, _, stderr) = check(d.path());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn the_check_fails_on_every_kind_of_drift_naming_the_file() {
    let d = copy_of_datasets();
    let p = d.path();
    let policy = p.join("seed-registration/policies/01-block-legacy-authentication.json");
    let text = std::fs::read_to_string(&policy).expect("policy");
    assert!(text.contains("\"enabled\""), "{text}");
    std::fs::write(&policy, text.replacen("\"enabled\"", "\"disabled\"", 1)).expect("edit");
    let locations = p.join("contoso/namedLocations.json");
    let mut broken = std::fs::read_to_string(&locations).expect("locations");
    broken.truncate(broken.len() / 2);
    std::fs::write(&locations, broken).expect("truncate");
    std::fs::remove_file(p.join("contoso/directory.json")).expect("remove");
    std::fs::write(p.join("contoso/policies/zz-stale.json"), "{}").expect("leftover");

    let (code, stdout, stderr) = check(p);
    assert_eq!(code, 1, "{stdout}{stderr}");
    for (file, problem) in [
        (
            "seed-registration/policies/01-block-legacy-authentication.json",
            "differs from a fresh generation",
        ),
        (
            "contoso/namedLocations.json",
            "differs from a fresh generation",
        ),
        ("contoso/namedLocations.json", "does not parse"),
        ("contoso/directory.json", "missing (generator writes it)"),
        (
            "contoso/policies/zz-stale.json",
            "not produced by the generator",
        ),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(problem)),
            "no `{problem}` for {file} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("check: FAILED (5 problems)"), "{stderr}");
}
