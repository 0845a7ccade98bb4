//! Real public samples (../shared/datasets/real, see its MANIFEST.md). They are not
//! shipped with the crate: every test here is ignored by a plain `cargo test` (and counted
//! as such on its closing line); `.ci/run` runs them, and run without the folder they fail.

mod common;

use careplay::signin::{self, EventType, LoadOptions, RejectKind};
use common::real_datasets as real;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public samples, not shipped; .ci/run runs it)"]
fn every_real_sign_in_sample_loads_with_zero_rejections() {
    let dir = real("signins");
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    files.retain(|p| !p.components().any(|c| c.as_os_str() == "_invalid"));
    files.sort();
    assert!(
        files.len() >= 11,
        "expected the MANIFEST files, found {}",
        files.len()
    );
    for f in &files {
        let l = signin::load(std::slice::from_ref(f), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let fl = &l.ledger.files[0];
        assert_eq!(fl.rows_rejected, 0, "{}: {:?}", f.display(), fl.rejected);
        assert_eq!(
            fl.rows_read,
            fl.rows_loaded + fl.duplicates,
            "{}",
            f.display()
        );
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public samples, not shipped; .ci/run runs it)"]
fn real_samples_map_the_facts_the_manifest_describes() {
    let dir = real("signins");
    let all = signin::load(
        &[dir.join("elastic_azure_signinlogs_diag_all_categories_raw.jsonl")],
        &LoadOptions::default(),
    )
    .unwrap();
    // One id reused across five categories: (event type, id) keeps them apart.
    assert_eq!(all.records.len(), 5);
    assert_eq!(all.ledger.duplicates(), 0);
    assert!(all.records.iter().any(|r| r.is_microsoft_first_party()));
    assert!(
        all.records.iter().all(|r| r.created_at.is_some()),
        "-05:00 offsets parse"
    );

    let mi = signin::load(
        &[dir.join("elastic_azure_signinlogs_diag_managedidentity_sample.jsonl")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(mi.records.len(), 33);
    assert!(mi
        .records
        .iter()
        .all(|r| r.event_type == EventType::ManagedIdentity));
    assert!(
        mi.records.iter().all(|r| r.ip.is_none()),
        "empty ipAddress stays absent"
    );

    let ni = signin::load(
        &[dir.join("elastic_azure_signinlogs_diag_noninteractive_sample.jsonl")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(ni.records.len(), 15);
    assert!(ni
        .records
        .iter()
        .any(|r| r.os_raw.as_deref() == Some("Windows10")));

    let la = signin::load(
        &[dir.join("Azure-Sentinel-Training-Lab/sign-in_adelete.csv")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(la.records.len(), 56);
    let with_ca = la
        .records
        .iter()
        .filter(|r| r.ca_policies.as_ref().is_some_and(|p| !p.is_empty()))
        .count();
    assert_eq!(with_ca, 51, "MANIFEST: 51 rows with notEnabled policies");
    assert!(la.records.iter().all(|r| r.created_at.is_some()));

    let noclock = signin::load(
        &[dir.join("Azure-Sentinel-Training-Lab/disable_accounts.csv")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(noclock.records.len(), 4);
    assert!(noclock
        .records
        .iter()
        .all(|r| r.created_at.is_none() && r.error_code == Some(50057)));
    assert!(noclock.ledger.files[0].warnings[0].contains("no event-time column"));
}

#[test]
#[ignore = "needs ../shared/datasets/real (public samples, not shipped; .ci/run runs it)"]
fn invalid_published_examples_are_rejected_with_reasons() {
    let dir = real("signins/microsoftgraph-microsoft-graph-docs-2021/_invalid");
    let l = signin::load(&[dir], &LoadOptions::default()).unwrap();
    assert_eq!(l.ledger.files.len(), 5);
    for f in &l.ledger.files {
        assert_eq!((f.rows_read, f.rows_rejected), (1, 1), "{}", f.path);
        let ex = &f.rejected[&RejectKind::InvalidJson].examples[0];
        assert!(ex.contains("trailing comma"), "{ex}");
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public samples, not shipped; .ci/run runs it)"]
fn doc_examples_do_not_panic_and_give_reasons() {
    let dir = real("doc-examples");
    let l = signin::load(std::slice::from_ref(&dir), &LoadOptions::default()).unwrap();
    let monitor = l
        .ledger
        .files
        .iter()
        .find(|f| {
            f.path
                .ends_with("azure_monitor_signin_schema_doc_example_record.json")
        })
        .unwrap();
    // Microsoft's placeholder `<IP ADDRESS>` loads the record with its IP Unknown and a
    // counted warning (issue 17), instead of rejecting it.
    assert_eq!((monitor.rows_rejected, monitor.rows_loaded), (0, 1));
    assert!(
        monitor.unreadable[&signin::unreadable::Unreadable::IpAddress].examples[0]
            .contains("`<IP ADDRESS>`")
    );
    // Duplicate keys: last value wins (signin-logs.md §11 trap 7).
    let g = l
        .records
        .iter()
        .find(|r| r.event_id == "1691d37b-8579-43a7-966a-0f35583c1300")
        .unwrap();
    assert_eq!(
        g.home_tenant_id.as_deref(),
        Some("99081087-73c4-48d1-a112-f60ff75114f7")
    );
    assert_eq!(
        g.incoming_token_type.as_deref(),
        Some("Primary Refresh Token")
    );
}
