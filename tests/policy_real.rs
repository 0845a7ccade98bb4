//! Every real public export under ../shared/datasets/real/{policies,locations,strengths,
//! templates}: no panic, every file fully accounted for (each object parsed or rejected
//! with a message naming the file and a JSON path or line), plus targeted expectations
//! for the shapes listed in the dataset MANIFEST (B.3). The exports are not shipped with
//! the crate: every test here is ignored by a plain `cargo test` (and counted as such on
//! its closing line); `.ci/run` runs them, and run without the folder they fail.

mod common;

use careplay::policy::load::{self, FileSummary, Rejection};
use common::real_datasets as real;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn json_files(dir: &Path) -> Vec<PathBuf> {
    load::source::expand_paths(&[dir.to_path_buf()]).unwrap_or_default()
}

/// What one file produced, by kind of loader.
struct Outcome {
    summary: FileSummary,
    rejected: Vec<Rejection>,
}

fn load_one(kind: &str, file: &Path) -> Outcome {
    let paths = [file.to_path_buf()];
    let (files, rejected) = match kind {
        "locations" => load::load_named_locations(&paths).map(|l| (l.files, l.rejected)),
        "strengths" => load::load_strengths(&paths).map(|l| (l.files, l.rejected)),
        _ => load::load_policies(&paths).map(|l| (l.files, l.rejected)),
    }
    .unwrap_or_else(|e| panic!("{}: I/O error on an existing file: {e}", file.display()));
    assert_eq!(files.len(), 1, "{}", file.display());
    Outcome {
        summary: files[0].clone(),
        rejected,
    }
}

fn check_folder(kind: &str) -> BTreeMap<String, (usize, usize, usize)> {
    let mut per_source: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let dir = real(kind);
    let files = json_files(&dir);
    assert!(!files.is_empty(), "no JSON files under {}", dir.display());
    let mut panics = Vec::new();
    for file in &files {
        let source = file
            .strip_prefix(&dir)
            .ok()
            .and_then(|p| p.components().next())
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_default();
        let outcome = match catch_unwind(AssertUnwindSafe(|| load_one(kind, file))) {
            Ok(o) => o,
            Err(_) => {
                panics.push(file.clone());
                continue;
            }
        };
        let s = &outcome.summary;
        assert!(
            s.parsed + s.rejected > 0 || std::fs::read(file).is_ok_and(|b| b.len() < 400),
            "{}: nothing parsed and nothing rejected",
            file.display()
        );
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for r in &outcome.rejected {
            let text = r.to_string();
            assert!(
                text.contains(&name),
                "rejection does not name the file: {text}"
            );
            assert!(
                r.origin.json_path.is_some() || r.origin.line.is_some(),
                "rejection names neither a JSON path nor a line: {text}"
            );
            assert!(!r.message.trim().is_empty(), "empty message: {text}");
        }
        let e = per_source.entry(source).or_default();
        e.0 += 1;
        e.1 += s.parsed;
        e.2 += s.rejected;
    }
    assert!(panics.is_empty(), "panicked on: {panics:?}");
    println!("{kind}: source folder: files / parsed / rejected");
    for (src, (f, p, r)) in &per_source {
        println!("  {src}: {f} / {p} / {r}");
    }
    per_source
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn every_real_policy_file_is_parsed_or_rejected() {
    let counts = check_folder("policies");
    let parsed: usize = counts.values().map(|c| c.1).sum();
    // MANIFEST B.1: 1291 policy objects, ~188 of them templates with placeholders.
    assert!(parsed > 900, "only {parsed} policies parsed");
    // Sources that are clean Graph/IntuneManagement/PowerShell exports load completely.
    for src in [
        "j0eyv-ConditionalAccessBaseline",
        "kennethvs-cabaseline202510",
        "Cloudshield-io-Conditional-Access-Framework",
        "KelvinTegelaar-CIPP-API",
        "goodworkaround-conditional-access-starter-pack",
    ] {
        let (files, p, r) = counts.get(src).copied().unwrap_or_default();
        assert!(
            files > 0 && p >= files && r == 0,
            "{src}: {files} files, {p} parsed, {r} rejected"
        );
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn every_real_location_file_is_parsed_or_rejected() {
    let counts = check_folder("locations");
    let source = |s: &str| {
        counts
            .get(s)
            .copied()
            .unwrap_or_else(|| panic!("no location files from {s}: {:?}", counts.keys()))
    };
    let (_, p, r) = source("Clutch2View-nis2-conditional-access-policies");
    assert_eq!(
        (p, r),
        (0, 5),
        "custom named-location shape must be rejected"
    );
    let (_, p, _) = source("denis-beuermann-ConditionalAccess");
    assert!(p > 300, "denis-beuermann locations parsed: {p}");
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn every_real_strength_and_template_file_is_parsed_or_rejected() {
    for kind in ["strengths", "templates"] {
        let counts = check_folder(kind);
        let parsed: usize = counts.values().map(|c| c.1).sum();
        assert!(parsed > 0, "no {kind} parsed: {counts:?}");
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn utf16_intune_management_exports_parse() {
    let dir = real("policies/j0eyv-ConditionalAccessBaseline");
    let l = load::load_policies(&[dir]).expect("an I/O error on an existing export");
    assert!(l.rejected.is_empty(), "{:?}", l.rejected.first());
    assert_eq!(l.policies.len(), 36);
    let p = l.policies.iter().find(|p| {
        p.policy.display_name.as_deref()
            == Some("CA200-Internals-IdentityProtection-AnyApp-AnyPlatform-MFA")
    });
    let p = p.map(|p| p.policy.clone()).unwrap_or_default();
    let users = p.conditions.and_then(|c| c.users).unwrap_or_default();
    assert_eq!(
        users.include_groups,
        vec!["ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57"]
    );
    assert_eq!(users.exclude_groups.len(), 2);
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn scubagear_pascal_case_parses() {
    let f = real("policies/cisagov-ScubaGear/Sample-Reports/ProviderSettingsExport.json");
    let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
    assert!(l.rejected.is_empty(), "{:?}", l.rejected.first());
    assert_eq!(l.policies.len(), 7);
    let p = &l.policies[0];
    assert_eq!(
        p.origin.json_path.as_deref(),
        Some("$.conditional_access_policies[0]")
    );
    assert_eq!(p.policy.state.as_deref(), Some("enabled"));
    let users = p
        .policy
        .conditions
        .clone()
        .and_then(|c| c.users)
        .unwrap_or_default();
    assert_eq!(users.include_users, vec!["All"]);
    // RunRegoStubs: a single object under the wrapper, empty sub-objects for null.
    {
        let f = real("policies/cisagov-ScubaGear/Testing/Unit/PowerShell/RunRego/RunRegoStubs/ProviderSettingsExport.json");
        let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
        assert_eq!(l.policies.len(), 1, "{:?}", l.rejected);
        let c = l.policies[0].policy.conditions.clone().unwrap_or_default();
        assert!(c.platforms.is_none() && c.locations.is_none());
    }
    // CapSnippets are fragments, not policies.
    {
        let f = real("policies/cisagov-ScubaGear/Testing/Unit/PowerShell/Providers/AADProvider/CapSnippets/AccessControls.json");
        let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
        assert!(l.policies.is_empty());
        assert!(
            l.rejected[0]
                .message
                .contains("not a conditionalAccessPolicy"),
            "{}",
            l.rejected[0]
        );
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn invalid_json_is_rejected_with_line_and_column() {
    let dir = real("policies/microsoftgraph-microsoft-graph-docs-2021/_invalid");
    let l = load::load_policies(&[dir]).expect("an I/O error on an existing export");
    assert!(l.policies.is_empty());
    assert_eq!(l.rejected.len(), l.files_read);
    assert!(l.files_read >= 2);
    for r in &l.rejected {
        let text = r.to_string();
        assert!(r.origin.line.is_some(), "{text}");
        assert!(
            text.contains("invalid JSON at line") && text.contains("column"),
            "{text}"
        );
        assert!(text.contains(".trailing-comma.json:"), "{text}");
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn alexfilipin_placeholders_are_rejected_naming_the_path() {
    let f = real("policies/AlexFilipin-ConditionalAccess/PolicyRepository/Admin protection/100 - RING - Admin protection - All apps Require Strong Auth For admins.json");
    let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
    assert!(l.policies.is_empty());
    let r = &l.rejected[0];
    let path = r.origin.json_path.clone().unwrap_or_default();
    assert!(path.starts_with("$.conditions.users."), "{r}");
    assert!(
        r.message.contains("placeholder") && r.message.contains('<'),
        "{r}"
    );
    assert!(r.to_string().contains("100 - RING"), "{r}");
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn wrappers_cipp_and_display_names() {
    {
        let f = real("policies/JC-Logic-ConditionalAccessBaseline-CIPP");
        let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
        // group NAMES inside the CIPP string: rejected, path under `$.JSON`.
        assert!(l.policies.is_empty());
        let path = l.rejected[0].origin.json_path.clone().unwrap_or_default();
        assert!(path.starts_with("$.JSON.conditions."), "{}", l.rejected[0]);
    }
    {
        let f = real("policies/Fortigi-ConditionalAccess");
        let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
        assert!(
            l.rejected
                .iter()
                .any(|r| r.message.contains("display name")),
            "{:?}",
            l.rejected
        );
    }
    {
        let f = real("policies/Jhope188-ConditionalAccessPolicies/New/IAC - O365 - BLOCK - NonWorkingHours.json");
        let l = load::load_policies(&[f]).expect("an I/O error on an existing export");
        let origin = l
            .policies
            .first()
            .map(|p| p.origin.json_path.clone())
            .or_else(|| l.rejected.first().map(|r| r.origin.json_path.clone()))
            .flatten()
            .unwrap_or_default();
        assert!(origin.starts_with("$.PolicyConfig"), "{origin}");
    }
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn graph_error_bodies_and_empty_objects_are_not_policies() {
    let dir = real("strengths/deploymenttheory-terraform-provider-microsoft365");
    let l = load::load_strengths(&[dir]).expect("an I/O error on an existing export");
    let msgs: Vec<String> = l.rejected.iter().map(|r| r.to_string()).collect();
    assert!(
        msgs.iter().any(|m| m.contains("Graph error response")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("empty object")), "{msgs:?}");
    assert!(!l.strengths.is_empty());
}

#[test]
#[ignore = "needs ../shared/datasets/real (public exports, not shipped; .ci/run runs it)"]
fn microsoft_template_list_loads_template_details() {
    let dir = real("templates/deploymenttheory-terraform-provider-microsoft365");
    let l = load::load_policies(&[dir]).expect("an I/O error on an existing export");
    // "Current administrator will be excluded" is a display text where a user id belongs.
    assert!(
        l.rejected
            .iter()
            .any(|r| r.message.contains("display name")),
        "{:?}",
        l.rejected.first()
    );
    assert!(l.policies.iter().all(|p| p
        .origin
        .json_path
        .as_deref()
        .is_some_and(|j| j.ends_with(".details"))));
    assert!(!l.policies.is_empty());
}
