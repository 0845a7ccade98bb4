//! Peak resident memory of this process (Linux `/proc/self/status` `VmHWM`), with a reset
//! between phases (`/proc/self/clear_refs` value 5, Linux >= 4.0) so each phase reports its
//! own peak.

/// Peak resident set size in KiB since start or the last successful [`reset_peak`];
/// `None` off Linux or when `/proc` is not readable.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    field_kib(&status, "VmHWM:")
}

/// Current resident set size in KiB.
pub fn current_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    field_kib(&status, "VmRSS:")
}

/// Reset the peak to the current RSS; `false` when the kernel refused (then peaks are
/// cumulative over the process and the report says so).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (fields 14
/// and 15, in USER_HZ = 100 ticks per second on Linux).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; fields after it follow the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state), so fields 14 and 15 are rest[11] and rest[12].
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

fn field_kib(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|n| n.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_lines() {
        let s = "Name:\tx\nVmHWM:\t  123456 kB\nVmRSS:\t  1000 kB\n";
        assert_eq!(field_kib(s, "VmHWM:"), Some(123_456));
        assert_eq!(field_kib(s, "VmRSS:"), Some(1000));
        assert_eq!(field_kib(s, "VmSwap:"), None);
    }

    // Both read /proc: Linux only (elsewhere the figures are `None` and reports say na).
    #[test]
    #[cfg(target_os = "linux")]
    fn cpu_time_advances_with_work() {
        // Spin until the reading moves rather than for a fixed wall time: on a loaded
        // machine 300 ms of wall time can be far less CPU time. The deadline only stops a
        // reader that never advances.
        let before = cpu_seconds().expect("/proc/self/stat");
        let start = std::time::Instant::now();
        let mut x = 0u64;
        let mut after = before;
        while after - before < 0.1 && start.elapsed().as_secs() < 60 {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            after = cpu_seconds().unwrap_or(before);
        }
        assert!(after - before >= 0.1, "{before} -> {after}");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn peak_grows_with_a_big_allocation() {
        let before = peak_rss_kib().expect("/proc/self/status");
        let big = vec![1u8; 64 << 20];
        let after = peak_rss_kib().unwrap_or(0);
        assert!(big.iter().map(|b| *b as u64).sum::<u64>() == 64 << 20);
        assert!(after >= before + 60 * 1024, "{before} -> {after}");
    }
}
