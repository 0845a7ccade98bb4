//! Applications coverage that a case file cannot express: the tenant's baseline scope
//! settings read from `tenantSettings.json` in the tenant folder, through the real binary
//! (improved-enforcement-resource-exclusions.md). The rules themselves are case files in
//! tests/cases/applications/baseline_scopes.yaml.

mod common;

use common::{careplay, careplay_json, root};
use std::path::Path;

/// A copy of the seed tenant (its sign-ins are dated 2026-10, after the 2026-05-13 rollout
/// start) plus a candidate "All resources but Exchange: block" policy.
fn seed_copy(dir: &Path) -> (String, String) {
    let tenant = dir.join("tenant");
    common::copy_dir(&root().join("datasets/seed-registration"), &tenant);
    let add = dir.join("all-but-exchange.json");
    std::fs::write(
        &add,
        r#"{"id": "aaaaaaaa-bbbb-4ccc-8ddd-000000000001",
            "displayName": "All resources but Exchange: block", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"]}, "clientAppTypes": ["all"],
              "applications": {"includeApplications": ["All"],
                               "excludeApplications": ["00000002-0000-0ff1-ce00-000000000000"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}}"#,
    )
    .unwrap();
    (
        tenant.to_string_lossy().into_owned(),
        add.to_string_lossy().into_owned(),
    )
}

fn newly(report: &serde_json::Value, what: &str) -> u64 {
    report["totals"][what]["events"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

#[test]
fn tenant_settings_decide_baseline_scope_requests_after_the_rollout() {
    let dir = tempfile::tempdir().unwrap();
    let (tenant, add) = seed_copy(dir.path());
    let args = ["replay", &tenant, "--add", &add, "--format", "json"];

    // Not configured: from 2026-05-13 the rollout is phased, so a Microsoft Graph row may
    // have been a baseline-scope request still exempt from the new policy.
    let before = careplay_json(&args);
    let unknown = newly(&before, "newly_unknown");
    assert!(
        unknown > 0,
        "Graph rows should be undecided: {}",
        before["totals"]
    );
    let reason = before["undecided_by_cause"].to_string();
    assert!(reason.contains("tenantSettings.json"), "{reason}");

    // The improved enforcement stated: those rows are decided (blocked).
    std::fs::write(
        Path::new(&tenant).join("tenantSettings.json"),
        r#"{"baselineScopes": {"targetResource": "default"}}"#,
    )
    .unwrap();
    let after = careplay_json(&args);
    assert_eq!(newly(&after, "newly_unknown"), 0, "{}", after["totals"]);
    assert_eq!(
        newly(&after, "newly_blocked"),
        newly(&before, "newly_blocked") + unknown,
        "{}",
        after["totals"]
    );
}

#[test]
fn a_bad_tenant_settings_file_stops_the_run_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let (tenant, _) = seed_copy(dir.path());
    let settings = Path::new(&tenant).join("tenantSettings.json");
    for (text, path) in [
        (
            r#"{"baselineScopes": {"targetResource": "legacy"}}"#,
            "$.baselineScopes.targetResource",
        ),
        (
            r#"{"baselineScope": {"targetResource": "default"}}"#,
            "$.baselineScope",
        ),
        (r#"{"baselineScopes": "default"}"#, "$.baselineScopes"),
        ("{not json", "tenantSettings.json"),
    ] {
        std::fs::write(&settings, text).unwrap();
        let r = careplay(&["replay", &tenant]);
        assert_eq!(r.code, 2, "{text}: {}", r.stderr);
        assert!(
            r.stderr.contains("tenantSettings.json"),
            "{text}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(path), "{text}: {}", r.stderr);
    }
}
