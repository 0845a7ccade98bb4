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

/// "Require device to be marked as compliant" for all users and all resources does not
/// block Intune enrollment (policy-all-users-device-compliance.md, 2025-04-01, note under
/// "Create a Conditional Access policy"), through whatif on the seed tenant with such a
/// policy turned on; Authenticator reading Graph from the same device is Unknown
/// (concept-conditional-access-grant.md, "Require device to be marked as compliant").
#[test]
fn compliant_device_everywhere_does_not_block_intune_enrollment() {
    let (_tmp, tenant) = common::seed_copy();
    std::fs::write(
        tenant.join("policies/all-resources-compliant-device.json"),
        r#"{"id": "aaaaaaaa-bbbb-4ccc-8ddd-000000000002",
            "displayName": "All resources: compliant device", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"]}, "clientAppTypes": ["all"],
              "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}}"#,
    )
    .unwrap();
    let tenant = tenant.to_string_lossy().into_owned();
    let whatif = |client: &str, resource: &str| {
        let r = careplay(&[
            "whatif",
            &tenant,
            "--user",
            "aaaaaaaa-0000-4000-8000-000000000001",
            "--client-id",
            client,
            "--app",
            resource,
            "--device-registered",
            "true",
            "--device-compliant",
            "false",
            "--methods",
            "password,microsoftAuthenticatorPush",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    // The verdict line under the policy's header.
    let line = |out: &str| {
        let mut lines = out.lines();
        lines
            .find(|l| l.contains("] All resources: compliant device"))
            .unwrap_or_else(|| panic!("policy not in the output:\n{out}"));
        lines.next().unwrap_or_default().to_string()
    };
    let company_portal = "9ba1a5c7-f17a-4de9-a1f1-6178c8d51223";
    let enrollment = whatif(company_portal, "d4ebce55-015a-49b5-a083-c84d1797ae8c");
    assert!(
        line(&enrollment).contains("met") && !line(&enrollment).contains("unmet"),
        "{enrollment}"
    );
    assert!(
        enrollment.contains("does not block Intune enrollment"),
        "{enrollment}"
    );

    let sharepoint = whatif(company_portal, "00000003-0000-0ff1-ce00-000000000000");
    assert!(
        line(&sharepoint).contains("cannot be fixed"),
        "{sharepoint}"
    );

    let authenticator = whatif(
        "4813382a-8fa7-425e-ab75-3b753aab3abb",
        "00000003-0000-0000-c000-000000000000",
    );
    assert!(line(&authenticator).contains("unknown"), "{authenticator}");
    assert!(
        authenticator.contains("scope is not in the log"),
        "{authenticator}"
    );
}
