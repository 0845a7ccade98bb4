#![allow(dead_code)]
//! The row ledger as `logs inspect` prints it, for the hostile-input tests: every file's
//! `rows: read R, loaded L, rejected X, duplicates D` line, checked to balance.

/// (read, loaded, rejected, duplicates) of every file in `logs inspect` output, each
/// asserted to satisfy read = loaded + rejected + duplicates.
pub fn rows(stdout: &str) -> Vec<(u64, u64, u64, u64)> {
    let mut out = Vec::new();
    for line in stdout.lines() {
        let Some(rest) = line.trim().strip_prefix("rows: read ") else {
            continue;
        };
        let n: Vec<u64> = rest
            .split(", ")
            .map(|p| {
                p.rsplit(' ')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("bad ledger line `{line}`"))
            })
            .collect();
        assert_eq!(n.len(), 4, "{line}");
        assert_eq!(n[0], n[1] + n[2] + n[3], "ledger does not balance: {line}");
        out.push((n[0], n[1], n[2], n[3]));
    }
    assert!(!out.is_empty(), "no ledger line in: {stdout}");
    out
}

/// `careplay ARGS` with `CAREPLAY_MAX_RECORD_BYTES=limit` (a small record limit for tests).
pub fn careplay_with_limit(limit: usize, args: &[&str]) -> super::common::Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_careplay"))
        .args(args)
        .current_dir(super::common::root())
        .env("NO_COLOR", "1")
        .env("CAREPLAY_MAX_RECORD_BYTES", limit.to_string())
        .output()
        .unwrap_or_else(|e| panic!("cannot run careplay: {e}"));
    super::common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
