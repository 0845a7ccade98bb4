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
