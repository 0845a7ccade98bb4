//! Text and `key=value` output of `careplay bench`.

use std::io::{self, Write};

use super::{BenchReport, Phase};

fn mib(p: &Phase) -> String {
    match p.peak_rss_kib {
        Some(k) => format!("{:.0} MiB", k as f64 / 1024.0),
        None => "n/a".to_string(),
    }
}

fn cpu(p: &Phase) -> String {
    match (p.cpu_secs, p.parallelism()) {
        (Some(c), Some(x)) => format!("{c:.2} ({x:.2})"),
        _ => "n/a".to_string(),
    }
}

fn mib_num(p: &Phase) -> String {
    p.peak_rss_kib
        .map(|k| format!("{:.0}", k as f64 / 1024.0))
        .unwrap_or_else(|| "na".to_string())
}

/// Human-readable table.
pub fn text(r: &BenchReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "careplay bench")?;
    writeln!(out, "  input            {}", r.logs.join(", "))?;
    writeln!(
        out,
        "  size             {} records, {:.1} MiB ({:.0} B/record)",
        r.records,
        r.input_bytes as f64 / 1048576.0,
        r.input_bytes as f64 / r.records.max(1) as f64
    )?;
    writeln!(
        out,
        "  policies         {} baseline + {} candidate per event",
        r.policies_baseline, r.policies_candidate
    )?;
    writeln!(
        out,
        "  threads          {} (rayon pool: parse blocks and evaluation); batches of {} records",
        r.threads, r.batch_rows
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "  phase                          wall      rate            peak RSS   CPU s (cores busy)"
    )?;
    writeln!(
        out,
        "  load only (stream, discard)  {:>7.3} s  {:>9.0} rec/s  {:>10}  {}",
        r.load.secs(),
        r.load_records_per_sec(),
        mib(&r.load),
        cpu(&r.load)
    )?;
    if let Some((f, p)) = &r.syntax_floor {
        writeln!(
            out,
            "  JSON syntax check only       {:>7.3} s  {:>9.0} line/s  {:>10}  {}   (serde_json, builds nothing: a floor, not careplay)",
            p.secs(),
            f.lines as f64 / p.secs().max(1e-9),
            "",
            cpu(p)
        )?;
    }
    writeln!(
        out,
        "  full replay (streaming)      {:>7.3} s  {:>9.0} ev/s   {:>10}  {}",
        r.replay.secs(),
        r.events_per_sec(),
        mib(&r.replay),
        cpu(&r.replay)
    )?;
    if let Some(one) = &r.replay_1_thread {
        writeln!(
            out,
            "  full replay, 1 thread        {:>7.3} s  {:>9.0} ev/s   {:>10}  {}",
            one.secs(),
            r.replay_events as f64 / one.secs().max(1e-9),
            mib(one),
            cpu(one)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  replay: {} events, {} keys evaluated (shared key cache): {:.1} events per evaluation",
        r.replay_events,
        r.replay_evaluations,
        r.replay_dedup_ratio()
    )?;
    writeln!(
        out,
        "  replay / load-only wall time: {:.2}",
        r.replay.secs() / r.load.secs().max(1e-9)
    )?;
    if let Some(s) = r.thread_speedup() {
        writeln!(
            out,
            "  replay speed-up 1 -> {} threads: {:.2}x",
            r.threads, s
        )?;
    }
    if let Some(p) = &r.parquet {
        writeln!(out)?;
        writeln!(
            out,
            "  canonical Parquet: {} records, {:.1} MiB ({})",
            p.records,
            p.parquet_bytes as f64 / 1048576.0,
            p.path
        )?;
        writeln!(
            out,
            "    convert {:.3} s, read back {:.3} s ({}), to facts {:.3} s, to keys {:.3} s",
            p.convert.secs(),
            p.load.secs(),
            mib(&p.load),
            p.facts.secs(),
            p.keys.secs()
        )?;
        writeln!(
            out,
            "    distinct evaluation keys {} of {} events: dedup ratio {:.1} (exact IPs: {} keys, ratio {:.1})",
            p.distinct_keys,
            p.records,
            p.dedup_ratio(),
            p.distinct_facts,
            p.records as f64 / p.distinct_facts.max(1) as f64
        )?;
        writeln!(
            out,
            "    each evaluation figure below: the median of {} runs",
            super::eval::RUNS
        )?;
        writeln!(
            out,
            "    raw engine, 1 thread: {} events in {:.3} s = {:.2} M event-policy evaluations/s/core",
            p.raw_1.events,
            p.raw_1.wall.as_secs_f64(),
            p.raw_1.per_sec_per_core() / 1e6
        )?;
        if let (Some(n), Some(s)) = (&p.raw_n, p.raw_speedup()) {
            writeln!(
                out,
                "    raw engine, {} threads: {:.3} s, speed-up {:.2}x",
                n.threads,
                n.wall.as_secs_f64(),
                s
            )?;
        }
        writeln!(
            out,
            "    once per key, 1 thread: {} events in {:.3} s = {:.2} M event-policy evaluations/s/core ({:.1}x raw)",
            p.dedup_1.events,
            p.dedup_1.wall.as_secs_f64(),
            p.dedup_1.per_sec_per_core() / 1e6,
            p.dedup_1.per_sec_per_core() / p.raw_1.per_sec_per_core().max(1e-9)
        )?;
    }
    if !r.peak_reset_supported {
        writeln!(
            out,
            "  note: the kernel refused to reset the peak RSS; peaks are cumulative"
        )?;
    }
    Ok(())
}

/// One `key=value` line per figure (read by benches/run.sh).
pub fn kv(r: &BenchReport, out: &mut dyn Write) -> io::Result<()> {
    let mut line = |k: &str, v: String| writeln!(out, "{k}={v}");
    line("records", r.records.to_string())?;
    line("input_bytes", r.input_bytes.to_string())?;
    line("threads", r.threads.to_string())?;
    line(
        "policies_per_event",
        (r.policies_baseline + r.policies_candidate).to_string(),
    )?;
    line("load_seconds", format!("{:.3}", r.load.secs()))?;
    line("load_peak_rss_mib", mib_num(&r.load))?;
    if let Some((f, p)) = &r.syntax_floor {
        line("syntax_floor_seconds", format!("{:.3}", p.secs()))?;
        line("syntax_floor_lines", f.lines.to_string())?;
        line("syntax_floor_invalid_lines", f.invalid.to_string())?;
        if let Some(c) = p.cpu_secs {
            line("syntax_floor_cpu_seconds", format!("{c:.2}"))?;
        }
    }
    line("replay_seconds", format!("{:.3}", r.replay.secs()))?;
    line("replay_peak_rss_mib", mib_num(&r.replay))?;
    line(
        "replay_events_per_sec",
        format!("{:.0}", r.events_per_sec()),
    )?;
    if let Some(c) = r.replay.cpu_secs {
        line("replay_cpu_seconds", format!("{c:.2}"))?;
    }
    if let Some(c) = r.load.cpu_secs {
        line("load_cpu_seconds", format!("{c:.2}"))?;
    }
    if let Some(e) = r.events_per_cpu_sec() {
        line("replay_events_per_cpu_sec", format!("{e:.0}"))?;
    }
    line("replay_evaluations", r.replay_evaluations.to_string())?;
    line(
        "replay_dedup_ratio",
        format!("{:.2}", r.replay_dedup_ratio()),
    )?;
    if let Some(one) = &r.replay_1_thread {
        line("replay_1_thread_seconds", format!("{:.3}", one.secs()))?;
    }
    if let Some(s) = r.thread_speedup() {
        line("replay_thread_speedup", format!("{s:.2}"))?;
    }
    if let Some(p) = &r.parquet {
        line("parquet_records", p.records.to_string())?;
        line("parquet_load_seconds", format!("{:.3}", p.load.secs()))?;
        line("distinct_keys", p.distinct_keys.to_string())?;
        line("distinct_facts_exact_ip", p.distinct_facts.to_string())?;
        line("dedup_ratio", format!("{:.2}", p.dedup_ratio()))?;
        line(
            "raw_evals_per_sec_per_core",
            format!("{:.0}", p.raw_1.per_sec_per_core()),
        )?;
        if let Some(s) = p.raw_speedup() {
            line("raw_thread_speedup", format!("{s:.2}"))?;
        }
        line(
            "dedup_evals_per_sec_per_core",
            format!("{:.0}", p.dedup_1.per_sec_per_core()),
        )?;
    }
    Ok(())
}
