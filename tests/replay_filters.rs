//! `careplay replay` filters through the real binary on the seed tenant: `--since`,
//! `--until`, `--user`, `--app`, `--policy` keep only matching events, the headline says
//! how many they left out, `--events-out` holds only what is counted, the streaming
//! replay agrees, and a filter that keeps nothing is exit 2.

mod common;

use common::careplay;
use serde_json::Value;

const SEED: &str = "datasets/seed-registration";

/// Replay the seed with `extra` flags: (JSON report, event rows).
fn replay(extra: &[&str]) -> (Value, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.ndjson");
    let mut args = vec![
        "--quiet",
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--format",
        "json",
        "--events-out",
        events.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = careplay(&args);
    assert_eq!(r.code, 0, "{extra:?}: {}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (report, rows)
}

fn events(report: &Value) -> u64 {
    report["totals"]["all"]["events"].as_u64().unwrap()
}

/// Every unfiltered row, the reference the filtered runs are checked against.
fn all_rows() -> Vec<Value> {
    let (report, rows) = replay(&[]);
    assert_eq!(events(&report), 380);
    assert!(
        report.get("filters").is_none(),
        "no filters, no filters key"
    );
    rows
}

#[test]
fn since_and_until_keep_the_window_and_say_what_they_left_out() {
    let all = all_rows();
    let inside = |r: &&Value| {
        let t = r["created_at"].as_str().unwrap();
        ("2026-10-03T00:00:00Z"..).contains(&t) && t < "2026-10-04T00:00:00Z"
    };
    let want = all.iter().filter(inside).count() as u64;
    assert!(want > 0 && want < 380, "{want}");
    let (report, rows) = replay(&["--since", "2026-10-03", "--until", "2026-10-03"]);
    assert_eq!(events(&report), want);
    assert_eq!(
        rows.len() as u64,
        want,
        "--events-out holds the counted events only"
    );
    assert!(rows.iter().all(|r| inside(&r)));
    let f = &report["filters"];
    assert_eq!(f["events_left_out"].as_u64(), Some(380 - want));
    assert_eq!(f["left_out_by"][0][0], "outside --since/--until");
    // The headline says it, in every text format.
    let r = careplay(&[
        "--quiet",
        "replay",
        SEED,
        "--since",
        "2026-10-03T00:00:00Z",
        "--until",
        "2026-10-04",
    ]);
    assert!(
        r.stdout.contains(&format!(
            "{} events outside --since/--until not counted",
            380 - want
        )),
        "{}",
        r.stdout
    );
    // An RFC 3339 --until is exclusive, a date the whole day: the same window.
    let (same, _) = replay(&[
        "--since",
        "2026-10-03",
        "--until",
        "2026-10-04T00:00:00+00:00",
    ]);
    assert_eq!(events(&same), want);
}

#[test]
fn user_and_app_filters_match_ids_and_names() {
    let all = all_rows();
    let gina = "gina@fabrikam.example";
    let frank_id = "aaaaaaaa-0000-4000-8000-000000000006";
    let want = all
        .iter()
        .filter(|r| r["user_principal_name"] == gina || r["user_id"] == frank_id)
        .count();
    // UPN in another case, and an object id: either matches.
    let (report, rows) = replay(&["--user", "GINA@fabrikam.example", "--user", frank_id]);
    assert_eq!(rows.len(), want);
    assert_eq!(events(&report) as usize, want);
    assert!(rows
        .iter()
        .all(|r| r["user_principal_name"] == gina || r["user_id"] == frank_id));
    assert_eq!(
        report["filters"]["left_out_by"][0][0],
        "of other users (--user)"
    );

    let app = all
        .iter()
        .find(|r| r["app_display_name"] == "My Signins")
        .expect("the seed logs My Signins");
    let want = all.iter().filter(|r| r["app_id"] == app["app_id"]).count();
    let (by_name, rows) = replay(&["--app", "my signins"]);
    assert_eq!(rows.len(), want);
    let (by_id, _) = replay(&["--app", app["app_id"].as_str().unwrap()]);
    assert_eq!(by_name["totals"], by_id["totals"]);
    // Every moved event of the seed is on My Signins: the answer survives the filter.
    assert_eq!(by_name["totals"]["newly_blocked"]["events"], 4);
    assert_eq!(by_name["totals"]["newly_challenged"]["events"], 5);
}

#[test]
fn policy_filter_keeps_events_where_the_policy_applies_in_either_set() {
    let all = all_rows();
    let name = "Combined Security Info Registration on Trusted Networks";
    let has = |r: &Value| {
        ["baseline_policies_applied", "candidate_policies_applied"]
            .iter()
            .any(|c| r[c].as_array().unwrap().iter().any(|p| p == name))
    };
    let want = all.iter().filter(|r| has(r)).count();
    assert!(want > 0);
    let (report, rows) = replay(&["--policy", name]);
    assert_eq!(rows.len(), want);
    assert!(rows.iter().all(has));
    // By id: the same events.
    let id = report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (by_id, _) = replay(&["--policy", &id]);
    assert_eq!(by_id["totals"], report["totals"]);
    // An unknown policy is an error with the nearest names, before anything is replayed.
    let r = careplay(&["replay", SEED, "--policy", "Trusted Netwrks"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--policy") && r.stderr.contains(name),
        "{}",
        r.stderr
    );
}

#[test]
fn a_filter_that_keeps_nothing_is_exit_2_naming_it() {
    for args in [
        &["--since", "2031-01-01"][..],
        &["--user", "nobody@example.com"][..],
        &["--app", "No Such App", "--stream"][..],
    ] {
        let mut all = vec!["replay", SEED];
        all.extend_from_slice(args);
        let r = careplay(&all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("no sign-in events to replay")
                && r.stderr.contains(args[0])
                && r.stderr.contains("match none of the 380 replayed events"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn streaming_replay_applies_the_same_filters() {
    let args = [
        "--quiet",
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--format",
        "json",
        "--since",
        "2026-10-02",
        "--user",
        "gina@fabrikam.example",
        "--user",
        "frank@woodgrove.example",
    ];
    let a = careplay(&args);
    let mut s = args.to_vec();
    s.push("--stream");
    let b = careplay(&s);
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    let (a, b): (Value, Value) = (
        serde_json::from_str(&a.stdout).unwrap(),
        serde_json::from_str(&b.stdout).unwrap(),
    );
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a["filters"], b["filters"]);
    assert!(a["filters"]["events_left_out"].as_u64().unwrap() > 0);
}

/// The closing line on stderr (progress bars are off without a terminal): events, rows
/// read / loaded / rejected, duplicates, seconds and rows/s, and what filters left out.
#[test]
fn final_summary_line_on_stderr() {
    let r = careplay(&["--quiet", "replay", SEED, "--promote", "all-report-only"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("events replayed"))
        .unwrap_or_else(|| panic!("no summary line: {}", r.stderr));
    assert!(
        line.starts_with(
            "careplay: 380 events replayed; 380 log rows read, 380 loaded, 0 rejected, \
             0 duplicates dropped; "
        ),
        "{line}"
    );
    let tail = line.rsplit("; ").next().unwrap();
    let parts: Vec<&str> = tail.split(' ').collect();
    assert_eq!(parts.len(), 4, "{line}");
    assert!(
        parts[0].parse::<f64>().is_ok() && parts[1] == "s,",
        "{line}"
    );
    assert!(
        parts[2].parse::<u64>().is_ok() && parts[3] == "rows/s",
        "{line}"
    );
    // No bar or spinner text when stderr is not a terminal.
    assert!(!r.stderr.contains("evaluating ["), "{}", r.stderr);

    let r = careplay(&["--quiet", "replay", SEED, "--user", "gina@fabrikam.example"]);
    assert!(
        r.stderr
            .contains("events replayed (377 more left out by the filters); 380 log rows read"),
        "{}",
        r.stderr
    );
}

/// `--since` / `--until` also take an age before now (`7d`, `12h`, `30m`), as `fetch` does:
/// the seed's sign-ins are from 2026-10, so every one is younger than 100 years and older
/// than none.
#[test]
fn ages_are_relative_to_now() {
    let (report, rows) = replay(&["--since", "36500d"]);
    assert_eq!(events(&report), 380);
    assert_eq!(rows.len(), 380);
    let r = careplay(&["replay", SEED, "--until", "36500d"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--until"), "{}", r.stderr);
    let r = careplay(&["replay", SEED, "--since", "7w"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("age before now"), "{}", r.stderr);
}
