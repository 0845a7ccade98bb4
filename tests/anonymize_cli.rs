//! `careplay logs anonymize` through the binary: the anonymized copy (logs, directory
//! snapshot, policies) replays to the same report, holds none of the original people's
//! identifiers, keeps each IP in its named ranges, and is consistent across runs with one
//! key.

mod common;

use common::{careplay, ensure_contoso_logs};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

const SEED: &str = "datasets/seed-registration";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `logs anonymize LOGS --tenant TENANT -o OUT` plus `extra`; must succeed.
fn anonymize(logs: &[&str], tenant: &str, out: &Path, key: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--quiet", "logs", "anonymize"];
    args.extend_from_slice(logs);
    args.extend(["--tenant", tenant, "-o", s(out), "--key-file", s(key)]);
    args.extend_from_slice(extra);
    let r = careplay(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

/// The report of `replay TENANT --promote all-report-only` with `extra` flags, as JSON.
fn report(tenant: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "--quiet",
        "replay",
        tenant,
        "--promote",
        "all-report-only",
        "--assume-user-risk",
        "none",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = careplay(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// Every number of the two reports agrees: totals, the matrix, and every table keyed by
/// something the anonymizer keeps (policies, apps, locations, client apps, demands,
/// causes); the per-user table has other names but the same counts.
fn same_answer(original: &Value, copy: &Value) {
    for k in [
        "totals",
        "transitions",
        "by_policy",
        "by_app",
        "by_location",
        "by_client_app_type",
        "demands",
        "undecided_by_cause",
    ] {
        assert_eq!(original[k], copy[k], "{k} differs");
    }
    let counts = |v: &Value| -> Vec<u64> {
        let mut c: Vec<u64> = v["by_user"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["events"].as_u64().unwrap())
            .collect();
        c.sort();
        c
    };
    assert_eq!(counts(original), counts(copy));
    assert_eq!(
        original["input"]["rows_loaded"],
        copy["input"]["rows_loaded"]
    );
}

#[test]
fn seed_copy_replays_to_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let out = anonymize(
        &[&format!("{SEED}/signins")],
        SEED,
        &t.join("signins.parquet"),
        &t.join("k"),
        &[
            "--directory-out",
            s(&t.join("directory.json")),
            "--policies-out",
            s(&t.join("policies")),
        ],
    );
    assert!(out.contains("wrote 380 canonical row(s)"), "{out}");
    assert!(out.contains("48 user(s)"), "{out}");
    assert!(t.join("k").exists(), "the key is written on first use");
    let original = report(SEED, &[]);
    assert_eq!(original["totals"]["newly_blocked"]["events"], 4);
    assert_eq!(original["totals"]["newly_challenged"]["events"], 5);
    let copy = report(
        SEED,
        &[
            "--logs",
            s(&t.join("signins.parquet")),
            "--directory",
            s(&t.join("directory.json")),
            "--policies",
            s(&t.join("policies")),
        ],
    );
    same_answer(&original, &copy);
    // The policies exclude the break-glass accounts by id: without the rewritten policies
    // the pseudonymous break-glass users are no longer excluded, so the answer differs.
    let unrewritten = report(
        SEED,
        &[
            "--logs",
            s(&t.join("signins.parquet")),
            "--directory",
            s(&t.join("directory.json")),
        ],
    );
    assert_ne!(original["transitions"], unrewritten["transitions"]);
}

#[test]
fn contoso_copy_in_four_export_formats_replays_to_the_same_report() {
    ensure_contoso_logs();
    let tenant = "datasets/contoso";
    // Diagnostic JSON Lines (some gzip), a Log Analytics CSV, Graph pages and Graph beta
    // NDJSON: every reader of the loader, about 27,000 events.
    let logs = [
        "datasets/contoso/signins/diag",
        "datasets/contoso/signins/log-analytics",
        "datasets/contoso/signins/graph-page",
        "datasets/contoso/signins/graph-beta/interactive-2026-10-03.ndjson",
        "datasets/contoso/signins/graph-beta/serviceprincipal-2026-10-03.ndjson",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    anonymize(
        &logs,
        tenant,
        &t.join("signins.parquet"),
        &t.join("k"),
        &[
            "--directory-out",
            s(&t.join("directory.json")),
            "--policies-out",
            s(&t.join("policies")),
        ],
    );
    let mut extra = Vec::new();
    for l in logs {
        extra.extend(["--logs", l]);
    }
    let original = report(tenant, &extra);
    assert!(original["totals"]["all"]["events"].as_u64().unwrap() > 20_000);
    let copy = report(
        tenant,
        &[
            "--logs",
            s(&t.join("signins.parquet")),
            "--directory",
            s(&t.join("directory.json")),
            "--policies",
            s(&t.join("policies")),
        ],
    );
    same_answer(&original, &copy);
}

fn rows(path: &Path) -> Vec<Map<String, Value>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty())
}

/// The named ranges of the seed tenant.
fn seed_ranges() -> Vec<ipnet::IpNet> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{SEED}/namedLocations.json")).unwrap(),
    )
    .unwrap();
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["ipRanges"].as_array().cloned().unwrap_or_default())
        .map(|r| r["cidrAddress"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn no_original_identifier_is_left_and_ips_keep_their_ranges_and_country() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let logs = format!("{SEED}/signins");
    let r = careplay(&[
        "--quiet",
        "logs",
        "convert",
        &logs,
        "--to",
        "ndjson",
        "-o",
        s(&t.join("orig.ndjson")),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    anonymize(
        &[&logs],
        SEED,
        &t.join("anon.ndjson"),
        &t.join("k"),
        &[
            "--directory-out",
            s(&t.join("directory.json")),
            "--policies-out",
            s(&t.join("policies")),
        ],
    );
    let original = rows(&t.join("orig.ndjson"));
    let copy = rows(&t.join("anon.ndjson"));
    assert_eq!(original.len(), copy.len());

    // Identifiers of people, devices and sessions, from the logs and the directory.
    let mut secrets: BTreeSet<String> = BTreeSet::new();
    for r in &original {
        for k in [
            "event_id",
            "user_id",
            "user_upn",
            "user_display_name",
            "device_id",
            "device_display_name",
            "session_id",
            "correlation_id",
        ] {
            if let Some(v) = text(&r[k]) {
                secrets.insert(v.to_lowercase());
            }
        }
    }
    let dir: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{SEED}/directory.json")).unwrap())
            .unwrap();
    for u in dir["users"].as_array().unwrap() {
        for k in ["id", "userPrincipalName", "displayName"] {
            if let Some(v) = text(&u[k]) {
                secrets.insert(v.to_lowercase());
            }
        }
    }
    assert!(secrets.len() > 300, "{}", secrets.len());
    let mut bytes = std::fs::read_to_string(t.join("anon.ndjson")).unwrap();
    bytes.push_str(&std::fs::read_to_string(t.join("directory.json")).unwrap());
    for e in std::fs::read_dir(t.join("policies")).unwrap() {
        bytes.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    let bytes = bytes.to_lowercase();
    let leaked: Vec<&String> = secrets.iter().filter(|s| bytes.contains(*s)).collect();
    assert!(leaked.is_empty(), "left in the copy: {leaked:?}");

    // Row by row (the copy keeps the order): every IP changed, inside exactly the same
    // named ranges; outside them, in the same /16. Country and facts kept; free text gone.
    let ranges = seed_ranges();
    let of = |ip: &str| -> Vec<ipnet::IpNet> {
        let a: std::net::IpAddr = ip.parse().unwrap();
        ranges.iter().filter(|n| n.contains(&a)).copied().collect()
    };
    let mut named = 0;
    for (o, c) in original.iter().zip(&copy) {
        for k in [
            "country",
            "app_id",
            "resource_id",
            "client_app_raw",
            "os_raw",
            "device_is_compliant",
            "device_trust_type",
            "sign_in_risk",
            "auth_requirement",
            "auth_methods",
            "mfa_satisfied",
            "created_at",
            "ca_policies",
            "home_tenant_id",
        ] {
            assert_eq!(o[k], c[k], "{k} of {}", o["event_id"]);
        }
        for k in ["city", "state", "failure_reason", "additional_details"] {
            assert!(c[k].is_null(), "{k} kept: {}", c[k]);
        }
        let (Some(oi), Some(ci)) = (text(&o["ip"]), text(&c["ip"])) else {
            assert_eq!(o["ip"], c["ip"]);
            continue;
        };
        assert_ne!(oi, ci);
        assert_eq!(of(oi), of(ci), "{oi} -> {ci}");
        if of(oi).is_empty() {
            let sixteen = |ip: &str| ip.split('.').take(2).collect::<Vec<_>>().join(".");
            if oi.contains('.') {
                assert_eq!(sixteen(oi), sixteen(ci), "{oi} -> {ci}");
            }
        } else {
            named += 1;
        }
    }
    assert!(
        named > 20,
        "the seed logs sign in from named ranges: {named}"
    );
}

#[test]
fn one_key_gives_the_same_pseudonyms_across_runs_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let key = t.join("k");
    let files = [
        "graph-beta-interactive.ndjson",
        "graph-beta-noninteractive.ndjson",
        "serviceprincipal-signins-diag.json",
    ];
    let whole: Vec<String> = files
        .iter()
        .map(|f| format!("{SEED}/signins/{f}"))
        .collect();
    let whole_refs: Vec<&str> = whole.iter().map(String::as_str).collect();
    anonymize(&whole_refs, SEED, &t.join("all.ndjson"), &key, &[]);
    let mut sharded: BTreeSet<String> = BTreeSet::new();
    for (i, f) in whole_refs.iter().enumerate() {
        let out = t.join(format!("shard{i}.ndjson"));
        anonymize(&[f], SEED, &out, &key, &[]);
        for mut r in rows(&out) {
            // Where the row came from differs by construction.
            r.remove("source_file");
            sharded.insert(serde_json::to_string(&r).unwrap());
        }
    }
    let all: BTreeSet<String> = rows(&t.join("all.ndjson"))
        .into_iter()
        .map(|mut r| {
            r.remove("source_file");
            serde_json::to_string(&r).unwrap()
        })
        .collect();
    assert_eq!(all, sharded);

    // Another key, other pseudonyms.
    anonymize(
        &whole_refs,
        SEED,
        &t.join("other.ndjson"),
        &t.join("k2"),
        &[],
    );
    let a = rows(&t.join("all.ndjson"));
    let b = rows(&t.join("other.ndjson"));
    assert_ne!(a[0]["user_id"], b[0]["user_id"]);
    assert_eq!(a[0]["app_id"], b[0]["app_id"]);

    // --keep-request-ids keeps them.
    let kept = t.join("kept.ndjson");
    anonymize(&whole_refs, SEED, &kept, &key, &["--keep-request-ids"]);
    let orig_ids: BTreeSet<String> = {
        let o = t.join("o.ndjson");
        let r = careplay(&[
            "--quiet",
            "logs",
            "convert",
            whole_refs[0],
            whole_refs[1],
            whole_refs[2],
            "--to",
            "ndjson",
            "-o",
            s(&o),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        rows(&o)
            .iter()
            .map(|r| r["event_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let kept_ids: BTreeSet<String> = rows(&kept)
        .iter()
        .map(|r| r["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(orig_ids, kept_ids);
}

#[test]
fn bad_key_file_or_missing_tenant_part_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let key = t.join("bad.key");
    std::fs::write(&key, "not a key").unwrap();
    let logs = format!("{SEED}/signins");
    let r = careplay(&[
        "--quiet",
        "logs",
        "anonymize",
        &logs,
        "--tenant",
        SEED,
        "-o",
        s(&t.join("a.parquet")),
        "--key-file",
        s(&key),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("bad.key"), "{}", r.stderr);
    assert!(!t.join("a.parquet").exists(), "no output on error");

    // A tenant without directory.json cannot give --directory-out.
    let (_keep, copy) = common::seed_copy();
    std::fs::remove_file(copy.join("directory.json")).unwrap();
    let r = careplay(&[
        "--quiet",
        "logs",
        "anonymize",
        &logs,
        "--tenant",
        s(&copy),
        "-o",
        s(&t.join("a.parquet")),
        "--key-file",
        s(&t.join("k")),
        "--directory-out",
        s(&t.join("d.json")),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("directory.json"), "{}", r.stderr);

    // The output never overwrites an input.
    let r = careplay(&[
        "--quiet",
        "logs",
        "anonymize",
        &format!("{SEED}/signins/graph-beta-interactive.ndjson"),
        "--tenant",
        SEED,
        "-o",
        &format!("{SEED}/signins/graph-beta-interactive.ndjson"),
        "--key-file",
        s(&t.join("k")),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
