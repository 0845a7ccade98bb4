//! Never a confident answer from broken or partial configuration (issue 17, configuration
//! side): policies, named locations, authentication strengths and the directory snapshot.
//! Each test breaks a copy of the seed tenant (in a temporary folder) the way a user
//! would, and runs the real binary. Right answer on the intact seed: 4 newly blocked /
//! 5 newly challenged.

mod common;

use common::{careplay, root};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const PROMOTE: &[&str] = &["--promote", "all-report-only", "--quiet"];

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn replay(dir: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec!["replay", s(dir)];
    args.extend_from_slice(PROMOTE);
    args.extend_from_slice(extra);
    careplay(&args)
}

/// Break one policy file with a JSON syntax error (a comma removed).
fn break_policy(dir: &Path) -> PathBuf {
    let p = dir.join("policies/02-require-mfa-for-admins.json");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen(',', "", 1)).unwrap();
    p
}

/// Set the first CIDR range of namedLocations.json to an invalid /33 prefix.
fn bad_cidr(dir: &Path) {
    let p = dir.join("namedLocations.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["value"][0]["ipRanges"][0]["cidrAddress"] = json!("203.0.113.0/33");
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn json_report(r: &common::Run) -> Value {
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn intact_seed_keeps_its_answer_and_says_nothing_is_skipped() {
    let r = careplay(&[
        "replay",
        "datasets/seed-registration",
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]);
    let v = json_report(&r);
    assert_eq!(v["totals"]["newly_blocked"]["events"], 4);
    assert_eq!(v["totals"]["newly_challenged"]["events"], 5);
    assert!(v.get("skipped_inputs").is_none());
    assert!(!r.stderr.contains("skipped"), "{}", r.stderr);
}

#[test]
fn an_invalid_cidr_stops_the_run_naming_file_and_json_path() {
    let (_t, dir) = common::seed_copy();
    bad_cidr(&dir);
    let r = replay(&dir, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "nothing evaluated: {}", r.stdout);
    for needle in [
        "namedLocations.json",
        "$.value[0].ipRanges[0].cidrAddress",
        "203.0.113.0/33",
        "is not a CIDR range",
        "nothing was evaluated",
    ] {
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
    }
}

/// Breaks a file in place.
type Breaker<'a> = Box<dyn Fn() + 'a>;

#[test]
fn a_broken_named_locations_file_stops_the_run_every_way() {
    let (_t, dir) = common::seed_copy();
    let p = dir.join("namedLocations.json");
    let intact = std::fs::read(&p).unwrap();
    let cases: Vec<(&str, Breaker)> = vec![
        (
            "invalid JSON",
            Box::new(|| std::fs::write(&p, &intact[..intact.len() / 2]).unwrap()),
        ),
        ("empty file", Box::new(|| std::fs::write(&p, b"").unwrap())),
        (
            "not valid UTF-8",
            Box::new(|| std::fs::write(&p, b"[{\"displayName\":\"\xc3\x28\"}]").unwrap()),
        ),
        (
            "is a folder",
            Box::new(|| {
                std::fs::remove_file(&p).unwrap();
                std::fs::create_dir(&p).unwrap();
            }),
        ),
    ];
    for (why, breakit) in cases {
        breakit();
        let r = replay(&dir, &[]);
        assert_eq!(r.code, 2, "{why}: {}", r.stdout);
        assert!(
            r.stderr.contains("namedLocations.json") && r.stderr.contains(why),
            "{why}: {}",
            r.stderr
        );
        let _ = std::fs::remove_dir(&p);
        std::fs::write(&p, &intact).unwrap();
    }
}

#[test]
fn a_broken_strengths_file_stops_the_run() {
    let (_t, dir) = common::seed_copy();
    std::fs::write(
        dir.join("authenticationStrengths.json"),
        r#"{"value":[{"id":"s1","allowedCombinations":"#,
    )
    .unwrap();
    let r = replay(&dir, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("[authentication strengths]")
            && r.stderr.contains("authenticationStrengths.json"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_named_locations_file_makes_trusted_networks_unknown_not_untrusted() {
    let (_t, dir) = common::seed_copy();
    std::fs::remove_file(dir.join("namedLocations.json")).unwrap();
    let r = replay(&dir, &["--format", "json"]);
    let v = json_report(&r);
    // The registration policies exclude AllTrusted: with no locations file, their
    // events cannot be decided (before: 7 newly blocked / 7 newly challenged, exit 0).
    assert_eq!(v["totals"]["newly_blocked"]["events"], 0);
    assert_eq!(v["totals"]["newly_challenged"]["events"], 0);
    assert!(v["totals"]["newly_unknown"]["events"].as_u64().unwrap() >= 9);
    let notes = v["notes"].to_string();
    assert!(notes.contains("no named locations file"), "{notes}");
    assert!(r.stderr.contains("no named locations file"), "{}", r.stderr);
}

#[test]
fn a_group_the_directory_snapshot_does_not_name_is_unknown_not_no() {
    let (_t, dir) = common::seed_copy();
    let policy = json!({
        "id": "9e0c0000-0000-4000-8000-000000000001",
        "displayName": "Block a group not in the snapshot",
        "state": "enabled",
        "conditions": {
            "users": {"includeGroups": ["9e0c0000-0000-4000-8000-0000000000aa"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    std::fs::write(
        dir.join("policies/50-unknown-group.json"),
        serde_json::to_string_pretty(&policy).unwrap(),
    )
    .unwrap();
    let dir_json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("directory.json")).unwrap())
            .unwrap();
    let user = dir_json["users"][0]["id"].as_str().unwrap().to_string();
    let r = careplay(&["whatif", s(&dir), "--user", &user, "--ip", "198.51.100.7"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let block = r
        .stdout
        .split("[On] Block a group not in the snapshot")
        .nth(1)
        .unwrap_or_default();
    assert!(
        block.contains("is not in the directory snapshot"),
        "{}",
        r.stdout
    );
    assert!(!block
        .lines()
        .nth(1)
        .unwrap_or_default()
        .contains("not applied"));
}

#[test]
fn the_mfa_trusted_ips_pseudo_location_is_unknown_without_its_list() {
    let (_t, dir) = common::seed_copy();
    let policy = json!({
        "id": "9e0c0000-0000-4000-8000-000000000002",
        "displayName": "Block from MFA trusted IPs",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "locations": {"includeLocations": ["00000000-0000-0000-0000-000000000000"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    std::fs::write(
        dir.join("policies/51-mfa-ips.json"),
        serde_json::to_string_pretty(&policy).unwrap(),
    )
    .unwrap();
    let r = careplay(&["whatif", s(&dir), "--user", "x", "--ip", "198.51.100.7"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let block = r
        .stdout
        .split("[On] Block from MFA trusted IPs")
        .nth(1)
        .unwrap_or_default();
    // Before: "not applied (network location ...)", a guess.
    assert!(block.contains("no MFA trusted IPs list"), "{}", r.stdout);
}

#[test]
fn one_broken_policy_file_stops_the_run_and_the_gate_cannot_pass() {
    let (_t, dir) = common::seed_copy();
    let p = break_policy(&dir);
    let r = replay(&dir, &["--fail-on", "newly-blocked>0"]);
    // Before: the policy was dropped from both sets and the gate passed (exit 0).
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains(s(&p)) && r.stderr.contains("invalid JSON at line"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--keep-going"), "{}", r.stderr);
}

#[test]
fn keep_going_lists_each_skipped_file_near_the_top_of_every_format() {
    let (_t, dir) = common::seed_copy();
    let p = break_policy(&dir);
    let name = "02-require-mfa-for-admins.json";
    // Each format: the skipped file comes before the first thing after the headline.
    for (format, next) in [
        ("terminal", "Changes previewed"),
        ("markdown", "Changes previewed"),
        ("html", "Changes previewed"),
        ("csv", "section,change"),
        ("json", "\"changes\""),
    ] {
        let r = replay(&dir, &["--keep-going", "--format", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        let at = |needle: &str| r.stdout.find(needle).unwrap_or(usize::MAX);
        assert!(at(name) < at(next), "{format}: {}", r.stdout);
        if format != "json" {
            assert!(at("PARTIAL ANSWER") < at(next), "{format}: {}", r.stdout);
        }
        assert!(
            r.stderr.contains("skipped") && r.stderr.contains(s(&p)),
            "{format}: {}",
            r.stderr
        );
    }
}

#[test]
fn keep_going_fails_every_gate_because_the_answer_is_partial() {
    let (_t, dir) = common::seed_copy();
    break_policy(&dir);
    let r = replay(
        &dir,
        &[
            "--keep-going",
            "--fail-on",
            "newly-blocked>1000",
            "--fail-on",
            "newly-challenged>1000",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let partial = r
        .stderr
        .lines()
        .filter(|l| l.contains("threshold breached") && l.contains("partial"))
        .count();
    assert_eq!(partial, 2, "{}", r.stderr);
}

#[test]
fn keep_going_does_not_skip_a_broken_locations_file() {
    let (_t, dir) = common::seed_copy();
    break_policy(&dir);
    bad_cidr(&dir);
    let r = replay(&dir, &["--keep-going"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("2 configuration errors")
            && r.stderr.contains("[policy]")
            && r.stderr.contains("[named locations]"),
        "{}",
        r.stderr
    );
}

#[test]
fn whatif_names_rejected_policy_files() {
    let (_t, dir) = common::seed_copy();
    let p = break_policy(&dir);
    let r = careplay(&["whatif", s(&dir), "--ip", "198.51.100.7"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains(s(&p)), "{}", r.stderr);
    let r = careplay(&["whatif", s(&dir), "--ip", "198.51.100.7", "--keep-going"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("PARTIAL ANSWER") && r.stdout.contains(s(&p)),
        "{}",
        r.stdout
    );
}

#[test]
fn whatif_with_every_policy_file_rejected_shows_the_parse_errors() {
    let (_t, dir) = common::seed_copy();
    for e in std::fs::read_dir(dir.join("policies")).unwrap() {
        std::fs::write(e.unwrap().path(), "{\"displayName\": ").unwrap();
    }
    for extra in [&[][..], &["--keep-going"][..]] {
        let mut args = vec!["whatif", s(&dir)];
        args.extend_from_slice(extra);
        let r = careplay(&args);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("5 configuration errors")
                && r.stderr
                    .contains("11-registration-guests-trusted-networks-report-only.json")
                && r.stderr.contains("invalid JSON"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("no policies found"), "{}", r.stderr);
    }
}

#[test]
fn verify_stops_on_a_broken_policy_and_keep_going_fails_fail_below() {
    let (_t, dir) = common::seed_copy();
    break_policy(&dir);
    let r = careplay(&["verify", s(&dir), "--quiet"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = careplay(&[
        "verify",
        s(&dir),
        "--quiet",
        "--keep-going",
        "--fail-below",
        "0",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("PARTIAL ANSWER"), "{}", r.stdout);
    assert!(r.stderr.contains("partial"), "{}", r.stderr);
}

#[test]
fn a_second_directory_is_refused() {
    let r = careplay(&[
        "replay",
        "datasets/seed-registration",
        "--directory",
        "datasets/seed-registration/directory.json",
        "--directory",
        "datasets/contoso/directory.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--directory") && r.stderr.contains("cannot be used multiple times"),
        "{}",
        r.stderr
    );
}

#[test]
fn directory_values_outside_their_sets_are_errors_with_their_path() {
    let (_t, dir) = common::seed_copy();
    let p = dir.join("directory.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["users"][0]["riskLevel"] = json!("severe");
    v["users"][1]["userType"] = json!("Visitor");
    v["users"][2]["externalUserType"] = json!("b2bGuest");
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let expect = [
        "$.users[0].riskLevel",
        "\"severe\"",
        "$.users[1].userType",
        "$.users[2].externalUserType",
    ];
    let r = replay(&dir, &[]);
    assert_eq!(r.code, 2);
    let check = careplay(&[
        "policies",
        "check",
        s(&dir.join("policies")),
        "--directory",
        s(&p),
    ]);
    assert_eq!(check.code, 2);
    for needle in expect {
        assert!(r.stderr.contains(needle), "replay {needle}: {}", r.stderr);
        assert!(
            check.stderr.contains(needle),
            "check {needle}: {}",
            check.stderr
        );
    }
}

#[test]
fn policies_check_and_lint_reject_every_rule_the_evaluator_cannot_use() {
    let tmp = tempfile::tempdir().unwrap();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("datasets/seed-registration/policies/01-block-legacy-authentication.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let rules = [
        r#"device.displayName -match "^LAB""#,
        r#"device.colour -eq "red""#,
        r#"device.trustType -eq "AzureAD" -and"#,
        "()",
    ];
    for (i, rule) in rules.iter().enumerate() {
        let mut p = base.clone();
        p["id"] = json!(format!("f17e0000-0000-4000-8000-00000000000{i}"));
        p["displayName"] = json!(format!("filter {i}"));
        p["conditions"]["devices"] = json!({"deviceFilter": {"mode": "exclude", "rule": rule}});
        std::fs::write(
            tmp.path().join(format!("p{i}.json")),
            serde_json::to_string(&p).unwrap(),
        )
        .unwrap();
    }
    let folder = s(tmp.path());
    let lint = careplay(&["policies", "lint", folder, "--format", "json"]);
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    let v: Value = serde_json::from_str(&lint.stdout).unwrap();
    let filter_errors: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "V10" && f["severity"] == "error")
        .collect();
    assert_eq!(filter_errors.len(), rules.len(), "{}", lint.stdout);
    for f in filter_errors {
        assert!(
            f["jsonPath"]
                .as_str()
                .unwrap_or_default()
                .ends_with(".conditions.devices.deviceFilter.rule"),
            "{f}"
        );
    }
    let check = careplay(&["policies", "check", folder]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains(&format!("{} error(s)", rules.len())),
        "{}",
        check.stdout
    );
}

#[test]
fn promote_without_a_match_lists_the_nearest_names() {
    let r = careplay(&[
        "replay",
        "datasets/seed-registration",
        "--promote",
        "mfa for admin",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("nearest names: \"Require MFA for admins\""),
        "{}",
        r.stderr
    );
    let r = careplay(&[
        "replay",
        "datasets/seed-registration",
        "--disable",
        "Blok legacy authentication",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("nearest names: \"Block legacy authentication\""),
        "{}",
        r.stderr
    );
}

#[test]
fn a_tenant_folder_that_does_not_exist_says_so() {
    for cmd in ["replay", "whatif", "verify"] {
        let r = careplay(&[cmd, "datasets/no-such-tenant"]);
        assert_eq!(r.code, 2, "{cmd}");
        assert!(
            r.stderr
                .contains("datasets/no-such-tenant: no such tenant folder"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

#[test]
fn every_bundled_tenant_configuration_loads_cleanly() {
    for t in ["datasets/seed-registration", "datasets/contoso"] {
        let r = careplay(&["whatif", t]);
        assert_eq!(r.code, 0, "{t}: {}", r.stderr);
        assert!(!r.stderr.contains("configuration error"), "{t}");
    }
}
