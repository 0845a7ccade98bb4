//! `careplay policies check|lint` through the real binary on fixtures under
//! tests/fixtures/policy/ (the two seed policies of policy-model.md §16–17 included).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/policy")
        .join(rel)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn careplay(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run careplay: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

#[test]
fn check_seed_policies_table_and_v14() {
    let seed = fixture("seed");
    let r = careplay(&["policies", "check", s(&seed)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let o = &r.stdout;
    assert!(o.contains("Files (2)"), "{o}");
    assert!(
        o.contains("Combined Security Info Registration with TAP"),
        "{o}"
    );
    assert!(
        o.contains("Combined Security Info Registration on Trusted Networks"),
        "{o}"
    );
    assert!(o.contains("report-only"), "{o}");
    assert!(o.contains("action registersecurityinfo"), "{o}");
    assert!(o.contains("strength \"Multifactor authentication\""), "{o}");
    assert!(o.contains("All −2 users, guests"), "{o}");
    assert_eq!(
        o.matches("warning V14 [user-action-report-only]").count(),
        2,
        "{o}"
    );
    assert!(
        o.contains("2 policies parsed, 0 rejected; 0 error(s), 2 warning(s)"),
        "{o}"
    );
    // with --strict the V14 warnings fail the run
    let r = careplay(&["policies", "check", "--strict", s(&seed)]);
    assert_eq!(r.code, 1);
}

#[test]
fn check_reports_validation_errors_with_paths() {
    let r = careplay(&["policies", "check", s(&fixture("errors"))]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let o = &r.stdout;
    assert!(
        o.contains("error V2 [block-is-exclusive] \"Block combined with MFA\""),
        "{o}"
    );
    assert!(o.contains("block-with-mfa.json: $.grantControls"), "{o}");
    assert!(
        o.contains("error V3 [mfa-with-strength] \"MFA and strength\""),
        "{o}"
    );
    assert!(
        o.contains("warning V16 [blocks-everyone] \"Block everything\""),
        "{o}"
    );
    // lint-only rules are not part of check
    assert!(!o.contains(" L1 "), "{o}");
}

#[test]
fn tenant_data_enables_reference_check() {
    let r = careplay(&[
        "policies",
        "check",
        s(&fixture("clean")),
        s(&fixture("errors/mfa-and-strength.json")),
        "--locations",
        s(&fixture("tenant/namedLocations.json")),
        "--directory",
        s(&fixture("tenant/directory.json")),
    ]);
    let o = &r.stdout;
    assert!(
        o.contains("warning V12 [unknown-reference] \"MFA and strength\": group c0ffee00-0000-4000-8000-0000000000c2 is not in the directory snapshot"),
        "{o}"
    );
    assert!(
        o.contains("mfa-and-strength.json: $.conditions.users.includeGroups[0]"),
        "{o}"
    );
    // the clean policies' location, user and group references all resolve
    assert_eq!(o.matches("V12").count(), 1, "{o}");
    // without the directory the group cannot be checked, and the clean set passes
    let r = careplay(&["policies", "check", s(&fixture("clean"))]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("CA001 Require MFA for all users"));
    assert!(r.stdout.contains("mfa"));
    // an unknown location id is reported when locations are supplied
    let r = careplay(&[
        "policies",
        "check",
        s(&fixture("clean")),
        "--locations",
        s(&fixture(
            "seed/combined-security-info-registration-with-tap.json",
        )),
    ]);
    assert!(r.stdout.contains("named location 0a1b2c3d-0000-4000-8000-00000000aa01 is not in the supplied named locations"), "{}", r.stdout);
    assert!(r.stdout.contains("not a named location"), "{}", r.stdout);
}

#[test]
fn lint_text_guest_tap_and_emergency_access() {
    let f = fixture("errors/guests-register-with-mfa.json");
    let r = careplay(&["policies", "lint", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("warning L2 [guests-rely-on-tap]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("TAP does not work for guest"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("L1"), "{}", r.stdout);
    let r = careplay(&["policies", "lint", "--strict", s(&f)]);
    assert_eq!(r.code, 1);
    // the seed members policy excludes guests: no L2; the block-everything policy has L1 + V16
    let r = careplay(&[
        "policies",
        "lint",
        s(&fixture("seed")),
        s(&fixture("errors/block-everyone.json")),
    ]);
    assert!(!r.stdout.contains("L2"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("warning L1 [no-emergency-access-exclusion] \"Block everything\""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("warning V16"), "{}", r.stdout);
}

#[test]
fn lint_json_format() {
    let r = careplay(&[
        "policies",
        "lint",
        "--format",
        "json",
        s(&fixture("errors")),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_default();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    for c in ["V2", "V3", "V16", "L1", "L2"] {
        assert!(codes.contains(&c), "{c} missing in {codes:?}");
    }
    assert_eq!(v["summary"]["policies"], 4);
    assert_eq!(v["summary"]["errors"], 2);
    let v2 = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "V2"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(v2["jsonPath"], "$.grantControls");
    assert_eq!(v2["severity"], "error");
    assert!(v2["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("block-with-mfa.json")));
}

#[test]
fn templates_and_invalid_json_are_rejected_precisely() {
    let r = careplay(&["policies", "check", s(&fixture("templates"))]);
    assert_eq!(r.code, 2, "nothing could be read: {}", r.stdout);
    let o = &r.stdout;
    assert!(o.contains("placeholder-group.json: $.conditions.users.excludeGroups[0]: template, not a deployable policy: \"<BreakGlassGroup>\" is a template placeholder"), "{o}");
    assert!(
        o.contains("trailing-comma.json:4: invalid JSON at line 4 column 1"),
        "{o}"
    );
    assert!(o.contains("no policy could be read"), "{o}");
    let r = careplay(&[
        "policies",
        "lint",
        s(&fixture("templates")),
        s(&fixture("seed")),
    ]);
    assert_eq!(r.code, 1, "rejections fail lint: {}", r.stdout);
    assert!(
        r.stdout
            .contains("rejected: template, not a deployable policy"),
        "{}",
        r.stdout
    );
}

#[test]
fn utf16_file_and_glob() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(fixture(
        "seed/combined-security-info-registration-trusted-networks.json",
    ))
    .unwrap_or_default();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let f = dir.path().join("utf16.json");
    std::fs::write(&f, bytes).unwrap_or_else(|e| panic!("{e}"));
    let r = careplay(&["policies", "check", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("1 policy parsed"), "{}", r.stdout);
    let pattern = format!("{}/*.json", s(&fixture("seed")));
    let r = careplay(&["policies", "check", &pattern]);
    assert!(r.stdout.contains("2 policies parsed"), "{}", r.stdout);
}

#[test]
fn usage_and_missing_paths_exit_2() {
    let r = careplay(&["policies", "check", "/nonexistent/policies.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("/nonexistent/policies.json: no such file"),
        "{}",
        r.stderr
    );
    assert_eq!(careplay(&["policies"]).code, 2);
    assert_eq!(careplay(&["policies", "check"]).code, 2);
    assert_eq!(
        careplay(&["policies", "lint", "--format", "xml", "x"]).code,
        2
    );
}
