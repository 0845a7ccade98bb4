//! A replay loads with `LoadOptions::for_replay`, which skips the fields it never reads
//! (`signin::REPLAY_SKIPS`: the logged Conditional Access results, the bulk of a Graph
//! record, and a few ids and details) instead of materialising them. The skipped load
//! must equal the full load with those fields cleared (`clear_replay_skipped`): same
//! records in the same order, same ledger, except rows whose only fault was in a skipped
//! field (loaded, not rejected); and the engine's facts of every record must be the same.
//! That agreement is checked on every fixture, the seed's exports and a generated file by
//! the load table of tests/bench_loader.rs; here, the one place where the two loads must
//! differ.

use std::path::PathBuf;

use careplay::signin::{self, LoadOptions, Loaded};

fn load(paths: &[PathBuf], opts: &LoadOptions) -> Loaded {
    signin::load(paths, opts).expect("load")
}

#[test]
fn a_malformed_skipped_field_rejects_the_row_only_when_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad_cap.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"id":"a","createdDateTime":"2026-01-01T00:00:00Z","userId":"u1","appId":"x","isInteractive":true,"appliedConditionalAccessPolicies":"oops"}"#,
            "\n",
            r#"{"id":"b","createdDateTime":"2026-01-01T00:00:00Z","userId":"u1","appId":"x","isInteractive":true,"appliedConditionalAccessPolicies":[]}"#,
            "\n",
            r#"{"id":"c","createdDateTime":"2026-01-01T00:00:00Z","userId":"u1","appId":"x","isInteractive":true,"networkLocationDetails":"[not json"}"#,
            "\n"
        ),
    )
    .expect("write");
    let full = load(std::slice::from_ref(&path), &LoadOptions::default());
    assert_eq!(full.records.len(), 1);
    assert_eq!(full.ledger.files[0].rows_rejected, 2);
    let proj = load(&[path], &LoadOptions::for_replay(None, false));
    assert_eq!(proj.records.len(), 3);
    assert_eq!(proj.ledger.files[0].rows_rejected, 0);
}
