//! The CI recipes committed in the repository run as written: every `careplay` command of
//! the GitHub Actions example parses with the real CLI and does what the workflow expects
//! on the seed tenant; the Dockerfile copies files that exist and builds with the same
//! cargo command; every `--fail-on` in the README and the example is quoted (unquoted,
//! the shell reads `>` as a redirection and the run exits 2 with a file named `0`).

mod common;

use common::root;
use std::process::Command;

/// Shell words of one command line: single and double quotes, backslash escapes.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut any) = (vec![], String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                any = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                any = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => cur.extend(chars.next()),
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => cur.extend(chars.next()),
            c if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            _ => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every `run:` script of the workflow, continuation lines joined.
fn run_lines(workflow: &serde_yaml::Value) -> Vec<String> {
    let mut lines = vec![];
    for (_, job) in workflow["jobs"].as_mapping().unwrap() {
        for step in job["steps"].as_sequence().unwrap() {
            if let Some(script) = step["run"].as_str() {
                lines.extend(script.replace("\\\n", " ").lines().map(str::to_string));
            }
        }
    }
    lines
}

#[test]
fn the_github_actions_example_runs_on_the_seed_tenant() {
    let text =
        std::fs::read_to_string(root().join("examples/github-actions/careplay.yml")).unwrap();
    let wf: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let tenant_dir = wf["jobs"]["replay"]["env"]["TENANT_DIR"].as_str().unwrap();
    assert!(
        root().join(tenant_dir).join("policies").is_dir(),
        "{tenant_dir}"
    );
    let lines = run_lines(&wf);
    assert!(
        lines
            .iter()
            .any(|l| l.trim() == "cargo build --release --locked"),
        "{lines:?}"
    );
    let (_tmp, seed) = common::seed_copy();
    let work = tempfile::tempdir().unwrap();
    let mut ran = vec![];
    for line in lines.iter().filter(|l| l.contains("careplay ")) {
        // GitHub expressions and the job's variables, as the runner would expand them.
        let expanded = line
            .replace(
                "${{ vars.CAREPLAY_CLIENT_ID }}",
                "00000000-0000-4000-8000-00000000c11e",
            )
            .replace(
                "${{ vars.CAREPLAY_TENANT_ID }}",
                "11111111-1111-4111-8111-111111111111",
            )
            .replace("$TENANT_DIR", seed.to_str().unwrap());
        assert!(
            !expanded.contains("${{") && !expanded.contains('$'),
            "unexpanded: {line}"
        );
        let w = words(&expanded);
        assert_eq!(w[0], "./target/release/careplay", "{line}");
        let out = Command::new(env!("CARGO_BIN_EXE_careplay"))
            .args(&w[1..])
            .current_dir(work.path())
            .env_remove("CAREPLAY_CLIENT_SECRET")
            .env_remove("CAREPLAY_GRAPH_TOKEN")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // A clap error (unknown flag, bad value) prints the usage line.
        assert!(!stderr.contains("Usage:"), "{line}\n{stderr}");
        let code = out.status.code().unwrap();
        match w[1].as_str() {
            // Without the secret (not configured here) fetch stops before any request.
            "fetch" => {
                assert_eq!(code, 2, "{stderr}");
                assert!(stderr.contains("CAREPLAY_CLIENT_SECRET"), "{stderr}");
            }
            "replay" if w.iter().any(|a| a == "--fail-on") => {
                // The seed tenant's report-only policies newly block 4 sign-ins: the gate trips.
                assert_eq!(code, 1, "{stderr}");
                assert!(work.path().join("careplay-report.html").is_file());
            }
            "replay" => {
                assert_eq!(code, 0, "{stderr}");
                let md = std::fs::read_to_string(work.path().join("careplay-report.md")).unwrap();
                assert!(md.contains("newly blocked"), "{md}");
            }
            other => panic!("unexpected careplay command {other} in {line}"),
        }
        ran.push(w[1].clone());
    }
    assert_eq!(ran, ["fetch", "replay", "replay"]);
}

#[test]
fn every_fail_on_is_quoted() {
    for file in ["README.md", "examples/github-actions/careplay.yml"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for (i, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("--fail-on ") {
                let next = line[at + 10..].chars().next();
                if next.is_some_and(|c| c == 'n' || c == 'u' || c == 'r') {
                    panic!("{file}:{}: unquoted --fail-on: {line}", i + 1);
                }
            }
        }
    }
    // What the quoting prevents: unquoted, the shell makes `newly-blocked` the value and
    // writes the report into a file named `0`.
    assert_eq!(
        words("careplay replay t --fail-on 'newly-blocked>0'")[4],
        "newly-blocked>0"
    );
}

#[test]
fn the_dockerfile_copies_what_exists_and_builds_like_ci() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let mut copies = 0;
    for line in text.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("COPY ") else {
            continue;
        };
        if rest.starts_with("--from=") {
            continue;
        }
        let w = words(rest);
        for src in &w[..w.len() - 1] {
            assert!(
                root().join(src).exists(),
                "Dockerfile copies {src}, which is not in the repository"
            );
            copies += 1;
        }
    }
    assert!(copies >= 3);
    // Everything the build reads is copied: the crate has no build script and includes
    // data files from src/ only.
    assert!(!root().join("build.rs").exists());
    let cargo: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("RUN ") && l.contains("cargo "))
        .collect();
    assert_eq!(cargo.len(), 1, "{cargo:?}");
    assert!(
        cargo[0].contains("cargo build --release --locked"),
        "{cargo:?}"
    );
    let wf = std::fs::read_to_string(root().join("examples/github-actions/careplay.yml")).unwrap();
    assert!(wf.contains("run: cargo build --release --locked"));
    // The binary the runtime stage copies is the one that command builds.
    assert!(text.contains("COPY --from=build /src/target/release/careplay /usr/local/bin/careplay"));
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).unwrap();
    assert!(
        ignore.lines().any(|l| l.trim() == "target"),
        "the build context would carry target/"
    );
}

/// Run examples/ci/replay.sh with `env`; (exit code, stderr).
fn replay_script(env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new("bash")
        .arg(root().join("examples/ci/replay.sh"))
        .current_dir(root())
        .env("CAREPLAY", env!("CARGO_BIN_EXE_careplay"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("TF_BUILD")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_ci_script_gates_writes_the_summary_and_the_html_report() {
    let (_tmp, seed) = common::seed_copy();
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("summary.md");
    let out_dir = out.path().join("careplay");
    let base = [
        ("TENANT_DIR", seed.to_str().unwrap()),
        ("OUT_DIR", out_dir.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    // Defaults: all report-only policies promoted, gate newly-blocked>0: breached (4).
    let (code, stderr) = replay_script(&base);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("gate 'newly-blocked>0' breached"),
        "{stderr}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("newly blocked"), "{md}");
    assert!(out_dir.join("careplay-report.html").is_file());
    // A looser gate passes; a policy named by the comma list is promoted alone.
    let mut env = base.to_vec();
    env.push(("FAIL_ON", "newly-blocked>10"));
    env.push(("PROMOTE", "Combined Security Info Registration with TAP"));
    let (code, stderr) = replay_script(&env);
    assert_eq!(code, 0, "{stderr}");
    // careplay's own errors come through as exit 2.
    let mut env = base.to_vec();
    env.push(("PROMOTE", "no such policy"));
    let (code, stderr) = replay_script(&env);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nearest names"), "{stderr}");
}

#[test]
fn the_action_and_the_azure_pipeline_call_the_tested_script() {
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_mapping().unwrap();
    for k in ["tenant-dir", "promote", "fail-on", "careplay"] {
        assert!(inputs.contains_key(k), "action input {k}");
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs
        .iter()
        .any(|r| r.contains("cargo build --release --locked")));
    let replay = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("examples/ci/replay.sh"))
        })
        .expect("a step runs examples/ci/replay.sh");
    for k in ["TENANT_DIR", "PROMOTE", "FAIL_ON", "OUT_DIR"] {
        assert!(replay["env"][k].is_string(), "the replay step sets {k}");
    }
    let ado: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(root().join("examples/azure-devops/azure-pipelines.yml")).unwrap(),
    )
    .unwrap();
    let scripts: Vec<&str> = ado["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["script"].as_str())
        .collect();
    assert!(
        scripts.contains(&"cargo build --release --locked"),
        "{scripts:?}"
    );
    assert!(
        scripts.contains(&"bash examples/ci/replay.sh"),
        "{scripts:?}"
    );
    let tenant = ado["variables"]["TENANT_DIR"].as_str().unwrap();
    assert!(root().join(tenant).join("policies").is_dir());
}
