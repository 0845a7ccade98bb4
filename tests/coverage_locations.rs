//! Locations coverage that a case file cannot express: the legacy MFA trusted IPs, which
//! "All trusted networks and locations" also covers ("Multifactor authentication trusted
//! IPs, if configured": concept-assignment-network.md, "All trusted networks and
//! locations"). Graph does not export them, so the tenant states them as `mfaTrustedIps` in
//! `tenantSettings.json`; without it, the report says what it assumed. The rule itself is
//! in tests/cases/locations.

mod common;

use common::{careplay, careplay_json};

fn newly_blocked(report: &serde_json::Value) -> u64 {
    report["totals"]["newly_blocked"]["events"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

#[test]
fn mfa_trusted_ips_from_tenant_settings_count_as_trusted() {
    let (_tmp, tenant) = common::seed_copy();
    let t = tenant.to_string_lossy().into_owned();
    let args = [
        "replay",
        &t,
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ];

    // Not stated: the seed's two AllTrusted policies rest on an assumption, and say so.
    let before = careplay_json(&args);
    assert_eq!(newly_blocked(&before), 4, "{}", before["totals"]);
    let notes = before["notes"].to_string();
    assert!(
        notes.contains("2 policies use \\\"All trusted networks and locations\\\""),
        "{notes}"
    );

    // Fabrikam's guests sign in from 198.19.20.0/24: listed as MFA trusted IPs, their
    // registrations are on a trusted network and no longer blocked.
    std::fs::write(
        tenant.join("tenantSettings.json"),
        r#"{"mfaTrustedIps": ["198.19.20.0/24"]}"#,
    )
    .unwrap();
    let after = careplay_json(&args);
    assert_eq!(newly_blocked(&after), 2, "{}", after["totals"]);
    assert!(
        !after["notes"].to_string().contains("MFA trusted IPs"),
        "{}",
        after["notes"]
    );

    // Stated as none: the same answer as the assumption, without the note.
    std::fs::write(
        tenant.join("tenantSettings.json"),
        r#"{"mfaTrustedIps": []}"#,
    )
    .unwrap();
    let none = careplay_json(&args);
    assert_eq!(newly_blocked(&none), 4);
    assert!(!none["notes"].to_string().contains("MFA trusted IPs"));
}

#[test]
fn a_bad_mfa_trusted_ip_stops_the_run_with_its_path() {
    let (_tmp, tenant) = common::seed_copy();
    std::fs::write(
        tenant.join("tenantSettings.json"),
        r#"{"mfaTrustedIps": ["198.19.20.0/24", "2001:db8::/32"]}"#,
    )
    .unwrap();
    let r = careplay(&[
        "replay",
        &tenant.to_string_lossy(),
        "--promote",
        "all-report-only",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("tenantSettings.json"), "{}", r.stderr);
    assert!(r.stderr.contains("$.mfaTrustedIps[1]"), "{}", r.stderr);
    assert!(r.stderr.contains("IPv4 only"), "{}", r.stderr);
}
