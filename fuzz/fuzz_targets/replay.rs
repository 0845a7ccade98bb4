//! A whole replay (in memory and streamed) of a tiny tenant (the seed tenant's policies,
//! named locations and directory) on fuzzed logs: load, facts, both policy sets, report.
#![no_main]
use careplay::replay::{self, ChangeSpec, Overrides, ReplayPlan};
use careplay_fuzz::{seed, small_caps};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    small_caps();
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let logs = dir.path().join("signins.json");
    let Ok(mut f) = std::fs::File::create(&logs) else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    let plan = ReplayPlan {
        tenant_dir: Some(seed()),
        overrides: Overrides {
            logs: vec![logs],
            ..Overrides::default()
        },
        changes: ChangeSpec {
            promote: vec!["all-report-only".to_string()],
            ..ChangeSpec::default()
        },
        dedup: replay::Dedup::On,
        progress: false,
        keep_rows: true,
        event_sample: 0,
        filter: Default::default(),
        assume: Default::default(),
    };
    let _ = replay::run_replay(&plan);
    let _ = replay::stream::run_replay_streaming(&plan, &Default::default());
});
