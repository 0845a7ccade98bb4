//! A replay loads with `LoadOptions::for_replay`, which skips the fields it never reads
//! (`signin::REPLAY_SKIPS`: the logged Conditional Access results, the bulk of a Graph
//! record, and a few ids and details) instead of materialising them. The skipped load
//! must equal the full load with those fields cleared (`clear_replay_skipped`): same
//! records in the same order, same ledger, except rows whose only fault was in a skipped
//! field (loaded, not rejected); and the engine's facts of every record must be the same.
//! Checked on every JSON fixture family and the seed tenant's exports.

use std::path::PathBuf;

mod common;

use careplay::signin::{self, LoadOptions, Loaded};
use common::root;

fn load(paths: &[PathBuf], opts: &LoadOptions) -> Loaded {
    signin::load(paths, opts).expect("load")
}

fn assert_projection_agrees(paths: &[PathBuf]) -> usize {
    let full = load(paths, &LoadOptions::default());
    let proj = load(paths, &LoadOptions::for_replay(None, false));
    assert_eq!(full.records.len(), proj.records.len(), "{paths:?}");
    let mut with_policies = 0;
    for (i, (a, b)) in full.records.iter().zip(&proj.records).enumerate() {
        assert!(
            b.ca_policies.is_none(),
            "record {i} of {paths:?} kept policies"
        );
        with_policies += usize::from(a.ca_policies.is_some());
        assert_eq!(
            signin::to_facts(a),
            signin::to_facts(b),
            "facts of record {i} of {paths:?}"
        );
        let mut a = a.clone();
        a.clear_replay_skipped();
        assert_eq!(&a, b, "record {i} of {paths:?}");
    }
    assert_eq!(full.ledger, proj.ledger, "{paths:?}");
    with_policies
}

#[test]
fn replay_projection_equals_full_load_without_skipped_fields() {
    let dir = root().join("tests/fixtures/signin");
    let mut with_policies = 0;
    for name in common::JSON_FIXTURES {
        with_policies += assert_projection_agrees(&[dir.join(name)]);
    }
    with_policies += assert_projection_agrees(&[root().join("datasets/seed-registration/signins")]);
    // The comparison means something only if the full load did read logged policies.
    assert!(with_policies > 0);
}

#[test]
fn csv_readers_read_everything_under_the_replay_projection() {
    // The projection lets readers skip; the CSV readers parse whole rows anyway, so their
    // load is unchanged (logged policies included where the file has them).
    let dir = root().join("tests/fixtures/signin");
    for name in [
        "InteractiveSignIns_2025-12-04_2025-12-05.csv",
        "la_signinlogs.csv",
    ] {
        let paths = [dir.join(name)];
        let full = load(&paths, &LoadOptions::default());
        let proj = load(&paths, &LoadOptions::for_replay(None, false));
        assert_eq!(full.records, proj.records, "{name}");
        assert_eq!(full.ledger, proj.ledger, "{name}");
    }
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
