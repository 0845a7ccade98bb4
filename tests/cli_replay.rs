//! `careplay replay` and `careplay whatif` through the real binary on the bundled seed
//! tenant: the golden report, the seed scenario's answer, formats and the exit-code
//! contract (0 ok, 1 threshold breached, 2 usage or input error).

mod common;

use common::twins::{assert_agree, ensure, same, Twin};
use common::{careplay, careplay_json, golden, root};

const SEED: &str = "datasets/seed-registration";

#[test]
fn seed_report_matches_goldens_in_every_format() {
    for (format, file) in [
        ("json", "report.json"),
        ("markdown", "report.md"),
        ("terminal", "report.txt"),
        ("csv", "report.csv"),
        ("html", "report.html"),
    ] {
        let r = careplay(&[
            "replay",
            SEED,
            "--promote",
            "all-report-only",
            "--format",
            format,
        ]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        golden(&format!("{SEED}/expected/{file}"), &r.stdout);
    }
}

#[test]
fn seed_scenario_names_guests_and_untrusted_members_never_break_glass_or_sp() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.ndjson");
    let r = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--events-out",
        events.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&events).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 380, "one row per loaded event");
    let moved = |outcome: &str| -> std::collections::BTreeSet<String> {
        rows.iter()
            .filter(|r| r["candidate_outcome"] == outcome && r["baseline_outcome"] != outcome)
            .map(|r| r["user_principal_name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let blocked = moved("blocked");
    let challenged = moved("challenged");
    // Guests (B2B collaboration, B2B member, internal guest) registering off trusted networks.
    for g in [
        "gina@fabrikam.example",
        "kim@contoso2.example",
        "mia@fabrikam.example",
        "ian.contractor@woodgrove.example",
    ] {
        assert!(
            blocked.contains(g),
            "{g} should be newly blocked: {blocked:?}"
        );
    }
    // Members registering from untrusted networks with only a password.
    for m in [
        "frank@woodgrove.example",
        "gus@woodgrove.example",
        "nils@woodgrove.example",
        "ed@woodgrove.example",
    ] {
        assert!(
            challenged.contains(m),
            "{m} should be newly challenged: {challenged:?}"
        );
    }
    // Never the emergency-access accounts, nor service principals, nor TAP/passwordless users.
    for r in &rows {
        let upn = r["user_principal_name"].as_str().unwrap_or("");
        let moved = r["candidate_outcome"] != r["baseline_outcome"];
        if upn.starts_with("breakglass") || r["event_type"] == "servicePrincipal" {
            assert!(!moved, "must never move: {r}");
        }
        if [
            "hana@woodgrove.example",
            "lena@woodgrove.example",
            "ivan@woodgrove.example",
        ]
        .contains(&upn)
        {
            assert!(
                !moved,
                "TAP / passwordless registration must stay allowed: {r}"
            );
        }
    }
    // The guest block names the guest policy and says why.
    let gina = rows
        .iter()
        .find(|r| {
            r["user_principal_name"] == "gina@fabrikam.example"
                && r["candidate_outcome"] == "blocked"
        })
        .unwrap();
    assert!(gina["explanation"]
        .as_str()
        .unwrap()
        .contains("Combined Security Info Registration on Trusted Networks"));
    // The report's own totals agree with the rows.
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["totals"]["newly_blocked"]["users"], 4);
    assert_eq!(report["totals"]["newly_challenged"]["users"], 4);
    assert_eq!(report["input"]["rows_read"], 380);
    assert_eq!(report["input"]["rows_rejected"], 0);
}

#[test]
fn parquet_events_out_has_the_contract_columns() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.parquet");
    let r = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--events-out",
        events.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(&events).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 380);
    for c in [
        "request_id",
        "user_id",
        "user_principal_name",
        "app_id",
        "baseline_outcome",
        "candidate_outcome",
        "candidate_policies_applied",
        "candidate_demand",
        "explanation",
    ] {
        assert!(df.column(c).is_ok(), "missing column {c}");
    }
    // The documented types (README "Events file"), as polars reads them back.
    let list = DataType::List(Box::new(DataType::String));
    let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    for (c, want) in [
        ("request_id", DataType::String),
        ("created_at", utc),
        ("country", DataType::String),
        ("device_id", DataType::String),
        ("device_os", DataType::String),
        ("device_compliant", DataType::Boolean),
        ("device_registered", DataType::Boolean),
        ("error_code", DataType::Int32),
        ("candidate_policies_applied", list.clone()),
        ("candidate_policy_ids_applied", list.clone()),
        ("changed_by_ids", list.clone()),
        ("unknown_causes", list.clone()),
        ("unknown_reasons", list),
    ] {
        assert_eq!(df.column(c).unwrap().dtype(), &want, "{c}");
    }
    for c in [
        "event_type",
        "client_app_type",
        "device_trust_type",
        "baseline_outcome",
        "candidate_outcome",
        "change",
    ] {
        assert!(
            matches!(df.column(c).unwrap().dtype(), DataType::Categorical(..)),
            "{c}: {:?}",
            df.column(c).unwrap().dtype()
        );
    }
    // Ids run parallel to names, and the seed's promoted policies show up by id.
    let names = df
        .column("candidate_policies_applied")
        .unwrap()
        .list()
        .unwrap()
        .clone();
    let ids = df
        .column("candidate_policy_ids_applied")
        .unwrap()
        .list()
        .unwrap()
        .clone();
    let mut seen_ids = 0;
    for i in 0..df.height() {
        let (n, d) = (
            names.get_as_series(i).unwrap(),
            ids.get_as_series(i).unwrap(),
        );
        assert_eq!(n.len(), d.len(), "row {i}");
        seen_ids += d.len();
    }
    assert!(seen_ids > 0, "no policy id in any row");
    // The seed logs countries, error codes and devices: the columns carry them.
    let non_null = |c: &str| df.height() - df.column(c).unwrap().null_count();
    for c in [
        "country",
        "error_code",
        "device_os",
        "created_at",
        "device_compliant",
    ] {
        assert!(non_null(c) > 0, "{c} is null in every row");
    }
}

#[test]
fn no_changes_means_nothing_moves() {
    let v = careplay_json(&["replay", SEED, "--format", "json"]);
    assert_eq!(v["totals"]["moved"]["events"], 0);
}

#[test]
fn promote_one_policy_by_name_only_moves_its_events() {
    let v = careplay_json(&[
        "replay",
        SEED,
        "--promote",
        "Combined Security Info Registration on Trusted Networks",
        "--format",
        "json",
    ]);
    assert_eq!(v["totals"]["newly_blocked"]["users"], 4);
    assert_eq!(v["totals"]["newly_challenged"]["events"], 0);
}

#[test]
fn disable_and_add_change_the_candidate() {
    // Disabling the legacy-auth block relieves the legacy sign-ins it blocked.
    let v = careplay_json(&[
        "replay",
        SEED,
        "--disable",
        "Block legacy authentication",
        "--format",
        "json",
    ]);
    assert!(
        v["totals"]["relieved"]["events"].as_u64().unwrap() > 0,
        "{v}"
    );
    // Adding the guest policy from its file (a template) blocks the guests.
    let add = root()
        .join(SEED)
        .join("policies/11-registration-guests-trusted-networks-report-only.json");
    let dir = tempfile::tempdir().unwrap();
    let mut p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(add).unwrap()).unwrap();
    p["id"] = "new-policy-under-review".into();
    p["displayName"] = "Guest registration block (proposed)".into();
    let file = dir.path().join("proposed.json");
    std::fs::write(&file, p.to_string()).unwrap();
    let r = careplay(&[
        "replay",
        SEED,
        "--add",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["totals"]["newly_blocked"]["users"], 4);
    assert!(r.stdout.contains("Guest registration block (proposed)"));
}

#[test]
fn fail_on_thresholds_set_exit_code_1() {
    let breached = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--fail-on",
        "newly-blocked>0",
    ]);
    assert_eq!(breached.code, 1, "{}", breached.stderr);
    assert!(
        breached.stderr.contains("newly-blocked = 4 > 0"),
        "{}",
        breached.stderr
    );
    let ok = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--fail-on",
        "newly-blocked>4",
        "--fail-on",
        "newly-challenged-users>4",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let users = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--fail-on",
        "newly-challenged-users>3",
    ]);
    assert_eq!(users.code, 1);
}

#[test]
fn usage_and_input_errors_exit_2_with_a_message() {
    let bad_gate = careplay(&["replay", SEED, "--fail-on", "blocked>>x"]);
    assert_eq!(bad_gate.code, 2);
    assert!(
        bad_gate.stderr.contains("expected METRIC>N"),
        "{}",
        bad_gate.stderr
    );
    let missing = careplay(&["replay", "no/such/tenant"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("no/such/tenant: no such tenant folder"),
        "{}",
        missing.stderr
    );
    let bad_promote = careplay(&["replay", SEED, "--promote", "No such policy"]);
    assert_eq!(bad_promote.code, 2);
    assert!(
        bad_promote.stderr.contains("No such policy"),
        "{}",
        bad_promote.stderr
    );
    let bad_format = careplay(&["replay", SEED, "--format", "xml"]);
    assert_eq!(bad_format.code, 2);
    let no_logs = careplay(&["replay", "--policies", &format!("{SEED}/policies")]);
    assert_eq!(no_logs.code, 2);
    assert!(
        no_logs.stderr.contains("no sign-in logs"),
        "{}",
        no_logs.stderr
    );
    let help = careplay(&["replay", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes"));
}

#[test]
fn flags_replace_parts_of_the_tenant_folder() {
    // Only the interactive file: fewer events, the same guests still blocked.
    let v = careplay_json(&[
        "replay",
        SEED,
        "--logs",
        &format!("{SEED}/signins/graph-beta-inter*.ndjson"),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]);
    assert_eq!(v["totals"]["all"]["events"], 167);
    assert_eq!(v["totals"]["newly_blocked"]["users"], 4);
    // Without the directory snapshot, group/role/guest facts become unknown, never guessed.
    let v = careplay_json(&[
        "replay",
        "--policies",
        &format!("{SEED}/policies"),
        "--locations",
        &format!("{SEED}/namedLocations.json"),
        "--logs",
        &format!("{SEED}/signins"),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]);
    assert!(v["notes"].to_string().contains("no directory snapshot"));
    assert!(v["totals"]["candidate"].to_string().contains("unknown"));
}

#[test]
fn whatif_explains_each_policy() {
    let r = careplay(&[
        "whatif",
        SEED,
        "--user",
        "gina@fabrikam.example",
        "--user-action",
        "registersecurityinfo",
        "--ip",
        "198.51.100.7",
        "--country",
        "US",
        "--methods",
        "password,push",
        "--promote",
        "all-report-only",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .contains("[On] Combined Security Info Registration on Trusted Networks"));
    assert!(
        r.stdout.contains("Decision (policies On): Blocked"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("users: user excluded"), "{}", r.stdout);
    // A trusted IPv6 address: nothing applies.
    let r = careplay(&[
        "whatif",
        SEED,
        "--user",
        "alice@woodgrove.example",
        "--user-action",
        "registersecurityinfo",
        "--ip",
        "2001:db8:10::7",
        "--methods",
        "password",
        "--promote",
        "all-report-only",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Decision (policies On): Allowed"),
        "{}",
        r.stdout
    );
    let bad = careplay(&[
        "whatif",
        SEED,
        "--user",
        "alice@woodgrove.example",
        "--methods",
        "carrier-pigeon",
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("carrier-pigeon"));
}

/// The binary's replay flags reach the paths of tests/bench_agreement.rs: each mode's
/// report equals the slow twin's (`--no-dedup`, in memory), once parsed.
#[test]
fn every_replay_mode_of_the_binary_gives_the_slow_twins_report() {
    let inputs = [
        ("the seed", vec![]),
        (
            "--assume-user-risk high",
            vec!["--assume-user-risk", "high"],
        ),
    ];
    let inputs = inputs.map(|(name, flags)| (name.to_string(), flags));
    let replay = |flags: &'static [&'static str]| {
        move |extra: &Vec<&str>| {
            let mut args = vec![
                "replay",
                SEED,
                "--promote",
                "all-report-only",
                "--format",
                "json",
            ];
            args.extend(flags.iter().chain(extra));
            let r = careplay(&args);
            ensure(r.code == 0, format!("exit {}: {}", r.code, r.stderr))?;
            serde_json::from_str::<serde_json::Value>(&r.stdout).map_err(|e| e.to_string())
        }
    };
    let reference = Twin::new("--no-dedup", replay(&["--no-dedup"])).also(|_, r, _| {
        let moved = r
            .as_ref()
            .map_or(0, |v| v["totals"]["moved"]["events"].as_u64().unwrap_or(0));
        ensure(moved > 0, format!("nothing moves: {r:?}"))
    });
    let twins = [
        Twin::new("default (dedup)", replay(&[])),
        Twin::new("--stream", replay(&["--stream"])),
        Twin::new("--stream --no-dedup", replay(&["--stream", "--no-dedup"])),
    ];
    assert_agree(&inputs, &reference, &twins, |e, g| same("report", e, g));
    let conflict = careplay(&["replay", SEED, "--stream", "--events-out", "x.ndjson"]);
    assert!(
        conflict.code == 2 && conflict.stderr.contains("--events-out"),
        "{}",
        conflict.stderr
    );
}

/// `--format csv -o DIR/`: one rectangular CSV per table, each a golden (formats are a
/// contract), each read back by the csv crate's strict reader (every record as wide as
/// the header) with numeric columns that parse as numbers.
#[test]
fn csv_folder_has_one_tidy_table_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report/");
    let r = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--format",
        "csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "the tables go to the folder");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for want in [
        "headline.csv",
        "summary.csv",
        "transitions.csv",
        "undecided.csv",
        "by_policy.csv",
        "by_user.csv",
        "by_app.csv",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
    }
    golden(
        &format!("{SEED}/expected/csv/FILES.txt"),
        &(names.join("\n") + "\n"),
    );
    for name in &names {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        golden(&format!("{SEED}/expected/csv/{name}"), &text);
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let header = rd.headers().unwrap().clone();
        assert!(!header.is_empty(), "{name}");
        assert_ne!(&header[0], "section", "{name}: no section column");
        for rec in rd.records() {
            let rec = rec.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rec.len(), header.len(), "{name}");
            for (h, v) in header.iter().zip(rec.iter()) {
                if ["events", "users", "rows", "count"].contains(&h) {
                    assert!(v.parse::<u64>().is_ok(), "{name}: {h} = {v:?}");
                }
            }
        }
    }
    // The headline file carries the report's headline; transitions every cell.
    let headline = std::fs::read_to_string(out.join("headline.csv")).unwrap();
    assert!(
        headline.contains("4 events (4 users) would be newly blocked"),
        "{headline}"
    );
    let transitions = std::fs::read_to_string(out.join("transitions.csv")).unwrap();
    assert_eq!(transitions.lines().count(), 17, "{transitions}");
}

/// `--table NAME` prints one table; an unknown name lists the tables; `--table` without
/// CSV is a usage error.
#[test]
fn csv_table_flag_prints_one_table() {
    let r = careplay(&[
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--format",
        "csv",
        "--table",
        "by_policy",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden(&format!("{SEED}/expected/csv/by_policy.csv"), &r.stdout);
    let r = careplay(&["replay", SEED, "--format", "csv", "--table", "by_nothing"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no such table") && r.stderr.contains("by_user"),
        "{}",
        r.stderr
    );
    let r = careplay(&["replay", SEED, "--format", "json", "--table", "by_user"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs --format csv"), "{}", r.stderr);
}
