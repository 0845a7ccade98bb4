//! The explorable HTML report without a browser (tests/browser/check.mjs drives one): its
//! embedded JSON is the JSON report, log values cannot break out of it or into markup,
//! every table holds all its rows, and above the event limit the page says what it left
//! out.

mod common;

use careplay::report::{
    render, render_html, Aggregator, EventRow, Format, Outcome, Report, ReportMeta,
};
use common::{careplay, seed_copy};

const SEED: &str = "datasets/seed-registration";
const HOSTILE_UPN: &str = "</script><script>alert(1)</script>";
const HOSTILE_POLICY: &str = "<!--<script>alert(2)</script>";

fn event(i: usize, user: &str, outcomes: (Outcome, Outcome), policy: &str) -> EventRow {
    let moved = outcomes.0 != outcomes.1;
    EventRow {
        request_id: format!("req-{i:05}"),
        created_at: Some(format!("2026-03-{:02}T08:00:00Z", 1 + i % 28)),
        event_type: "interactiveUser".to_owned(),
        user_id: Some(format!(
            "aaaaaaaa-0000-4000-8000-{:012}",
            user.len() * 7 + i % 3
        )),
        user_principal_name: Some(user.to_owned()),
        user_display_name: None,
        app_id: Some("19db86c3-b2b9-44cc-b339-36da233a3be2".to_owned()),
        app_display_name: Some("My Signins".to_owned()),
        resource_id: None,
        resource_display_name: None,
        ip: Some("203.0.113.7".to_owned()),
        location: "FR".to_owned(),
        client_app_type: "browser".to_owned(),
        baseline_outcome: outcomes.0,
        candidate_outcome: outcomes.1,
        baseline_policies_applied: vec![],
        candidate_policies_applied: if moved {
            vec![policy.to_owned()]
        } else {
            vec![]
        },
        candidate_demand: if moved {
            "block".to_owned()
        } else {
            String::new()
        },
        changed_by: if moved {
            vec![policy.to_owned()]
        } else {
            vec![]
        },
        explanation: format!("explained by {policy}"),
        country: None,
        device_id: None,
        device_os: None,
        device: careplay::report::DeviceCols::default(),
        error_code: None,
        baseline_policy_ids_applied: Vec::new(),
        candidate_policy_ids_applied: Vec::new(),
        changed_by_ids: Vec::new(),
        unknown_causes: vec![],
    }
}

fn page(report: &Report, max_events: usize) -> String {
    let mut out = Vec::new();
    render_html(report, max_events, &mut out).expect("render into memory");
    String::from_utf8(out).expect("utf-8")
}

fn json_of(report: &Report) -> serde_json::Value {
    let mut out = Vec::new();
    render(report, Format::Json, &mut out).expect("json");
    serde_json::from_slice(&out).expect("json parses")
}

/// The text of the page's data block (everything between its tags).
fn data_block(html: &str) -> &str {
    let open = "<script type=\"application/json\" id=\"careplay-data\">";
    let start = html.find(open).expect("data block") + open.len();
    let len = html[start..].find("</script>").expect("end of data block");
    &html[start..start + len]
}

fn data(html: &str) -> serde_json::Value {
    serde_json::from_str(data_block(html)).expect("the data block is JSON")
}

/// Rows of the table `id` in the page.
fn table_rows(html: &str, id: &str) -> usize {
    let start = html
        .find(&format!("<table class=\"data sortable\" id=\"table-{id}\""))
        .unwrap_or_else(|| panic!("table {id}"));
    let end = start + html[start..].find("</table>").expect("end of table");
    html[start..end].matches("<tr>").count() - 1
}

fn hostile_rows() -> Vec<EventRow> {
    use Outcome::*;
    vec![
        event(1, HOSTILE_UPN, (Allowed, Blocked), HOSTILE_POLICY),
        event(2, "ann@contoso.com", (Allowed, Challenged), "Require MFA"),
        event(3, "ann@contoso.com", (Allowed, Allowed), "Require MFA"),
    ]
}

#[test]
fn hostile_names_stay_text_in_the_markup_and_the_data() {
    let mut agg = Aggregator::with_event_sample(100);
    hostile_rows().iter().for_each(|r| agg.push(r));
    let mut meta = ReportMeta {
        title: "Rollout </title><script>alert(3)</script>".to_owned(),
        ..ReportMeta::default()
    };
    meta.changes = vec![format!("promote: {HOSTILE_POLICY}")];
    let report = agg.finish(meta);
    let html = page(&report, 100);
    // Only the page's two scripts; no hostile text raw anywhere.
    assert_eq!(html.matches("<script").count(), 2, "{html}");
    for raw in [HOSTILE_UPN, HOSTILE_POLICY, "<!--", "</title><script>"] {
        assert!(!html.contains(raw), "{raw} is raw in the page");
    }
    let block = data_block(&html);
    assert!(!block.contains('<') && !block.contains('>'), "{block}");
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The data still says exactly what the logs said.
    let d = data(&html);
    assert_eq!(d["report"]["by_user"][0]["name"], HOSTILE_UPN);
    let strings = d["events"]["strings"].as_array().unwrap();
    assert!(strings.iter().any(|s| s == HOSTILE_UPN));
    assert!(strings.iter().any(|s| s == HOSTILE_POLICY));
    // Nothing on the page reaches out.
    for external in [
        "src=", "href=", "<link", "@import", "url(", "http://", "https://",
    ] {
        assert!(
            !html.contains(external),
            "{external} in a self-contained page"
        );
    }
}

#[test]
fn the_embedded_report_is_the_json_report_and_the_tiles_its_totals() {
    let mut agg = Aggregator::with_event_sample(100);
    hostile_rows().iter().for_each(|r| agg.push(r));
    let report = agg.finish(ReportMeta::default());
    let html = page(&report, 100);
    assert_eq!(data(&html)["report"], json_of(&report));
    let t = &report.totals;
    for (metric, c) in [
        ("newly_blocked", t.newly_blocked),
        ("newly_challenged", t.newly_challenged),
        ("newly_unknown", t.newly_unknown),
        ("relieved", t.relieved),
    ] {
        let tile = format!(
            "data-metric=\"{metric}\"><div class=\"label\">{}</div><div class=\"big\"><span class=\"events\">{}</span> events</div><div class=\"small\"><span class=\"users\">{}</span> users",
            metric.replace('_', " "),
            c.events,
            c.users
        );
        assert!(html.contains(&tile), "{tile}");
    }
}

#[test]
fn every_table_holds_all_its_rows() {
    use Outcome::*;
    // 45 users newly blocked: more than the text formats' 20 rows.
    let rows: Vec<EventRow> = (0..45)
        .map(|i| {
            let mut e = event(
                i,
                &format!("user{i:02}@contoso.com"),
                (Allowed, Blocked),
                "P",
            );
            e.user_id = Some(format!("aaaaaaaa-0000-4000-8000-{i:012}"));
            e
        })
        .collect();
    let mut agg = Aggregator::with_event_sample(10);
    rows.iter().for_each(|r| agg.push(r));
    let report = agg.finish(ReportMeta::default());
    assert_eq!(report.top, 20);
    let html = page(&report, 10);
    assert_eq!(table_rows(&html, "by_user"), 45);
    assert_eq!(table_rows(&html, "by_day"), report.by_day.len());
    assert_eq!(report.by_day.len(), 28);
    assert!(!html.contains("more)"), "no table is cut");
    // Each user row opens its events.
    assert_eq!(html.matches("data-kind=\"user\"").count(), 45);
}

#[test]
fn above_the_limit_moved_events_come_first_and_the_page_says_what_it_left_out() {
    use Outcome::*;
    let mut rows = Vec::new();
    for i in 0..300 {
        let outcomes = match i % 10 {
            0 => (Allowed, Blocked),
            1 => (Allowed, Challenged),
            2 if i % 20 == 2 => (Unknown, Unknown),
            _ => (Allowed, Allowed),
        };
        rows.push(event(i, &format!("u{}@contoso.com", i % 37), outcomes, "P"));
    }
    let report_in = |rows: &[EventRow]| {
        let mut agg = Aggregator::with_event_sample(80);
        // Two workers merged, as the replay does.
        let (a, b) = rows.split_at(rows.len() / 3);
        let mut other = Aggregator::with_event_sample(80);
        a.iter().for_each(|r| agg.push(r));
        b.iter().for_each(|r| other.push(r));
        agg.merge(other);
        agg.finish(ReportMeta::default())
    };
    let report = report_in(&rows);
    assert_eq!(report.events.len(), 80);
    // 30 blocked, 30 challenged, 15 undecided kept whole; 5 of 225 unchanged.
    let html = page(&report, usize::MAX);
    let d = data(&html);
    assert_eq!(d["events"]["rows"].as_array().unwrap().len(), 80);
    let classes = &d["embedded"]["classes"];
    let kept = |k: usize| classes[k]["embedded"].as_u64().unwrap();
    assert_eq!((kept(0), kept(1), kept(4), kept(5)), (30, 30, 15, 5));
    assert!(
        html.contains("80 of 300 events are embedded (the limit is 80;"),
        "{}",
        &d["embedded"]["note"]
    );
    assert!(html.contains("Left out: 220 of 225 unchanged."));

    // The renderer's own limit cuts further, best-ranked first: blocked before challenged.
    let html = page(&report, 40);
    let d = data(&html);
    let classes = &d["embedded"]["classes"];
    let kept = |k: usize| classes[k]["embedded"].as_u64().unwrap();
    assert_eq!((kept(0), kept(1), kept(5)), (30, 10, 0));
    assert!(html.contains("40 of 300 events are embedded (the limit is 40;"));
    assert!(html.contains(
        "Left out: 20 of 30 newly challenged, 15 of 15 unchanged undecided, 225 of 225 unchanged."
    ));

    // The same sample whatever the order of the events and of the merges.
    let mut reversed = rows.clone();
    reversed.reverse();
    assert_eq!(page(&report_in(&reversed), 1000), page(&report, 1000));
}

#[test]
fn seed_page_through_the_binary_equals_its_json_report() {
    let run = |format: &str| {
        let r = careplay(&[
            "--quiet",
            "replay",
            SEED,
            "--promote",
            "all-report-only",
            "--format",
            format,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let html = run("html");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let d = data(&html);
    assert_eq!(d["report"], json);
    assert_eq!(json["totals"]["newly_blocked"]["events"], 4);
    assert_eq!(json["totals"]["newly_challenged"]["events"], 5);
    // All 380 events embedded, moved ones first.
    let rows = d["events"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 380);
    assert!(html.contains("All 380 events are embedded (the limit is 20000)."));
    for key in ["by_user", "by_app", "by_policy", "by_location", "by_day"] {
        assert_eq!(
            table_rows(&html, key),
            json[key].as_array().unwrap().len(),
            "{key}"
        );
    }
    // --html-events lowers the limit, and the page says so.
    let r = careplay(&[
        "--quiet",
        "replay",
        SEED,
        "--promote",
        "all-report-only",
        "--format",
        "html",
        "--html-events",
        "12",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        data(&r.stdout)["events"]["rows"].as_array().unwrap().len(),
        12
    );
    assert!(r
        .stdout
        .contains("12 of 380 events are embedded (the limit is 12;"));
    assert!(r.stdout.contains("Left out: 368 of 371 unchanged."));
}

#[test]
fn hostile_upn_and_policy_name_from_a_tenant_stay_text() {
    let (_tmp, dir) = seed_copy();
    for f in std::fs::read_dir(dir.join("signins")).unwrap() {
        let p = f.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        // A JSON string may hold markup as is.
        std::fs::write(&p, text.replace("gina@fabrikam.example", HOSTILE_UPN)).unwrap();
    }
    let pol = dir.join("policies/11-registration-guests-trusted-networks-report-only.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pol).unwrap()).unwrap();
    doc["displayName"] = HOSTILE_POLICY.into();
    std::fs::write(&pol, serde_json::to_string(&doc).unwrap()).unwrap();
    let d = dir.to_str().unwrap();
    let r = careplay(&[
        "--quiet",
        "replay",
        d,
        "--promote",
        "all-report-only",
        "--format",
        "html",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = &r.stdout;
    assert_eq!(html.matches("<script").count(), 2);
    assert!(!html.contains(HOSTILE_UPN) && !html.contains(HOSTILE_POLICY));
    let data = data(html);
    let users: Vec<&str> = data["report"]["by_user"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(users.contains(&HOSTILE_UPN), "{users:?}");
    assert_eq!(data["report"]["by_policy"][1]["name"], HOSTILE_POLICY);
}

#[test]
fn the_streaming_replay_embeds_the_same_events() {
    // The sample is folded per worker and merged, in both replays: the same page.
    let page_of = |extra: &[&str]| {
        let mut args = vec!["--quiet", "replay", SEED, "--promote", "all-report-only"];
        args.extend_from_slice(&["--format", "html", "--html-events", "50"]);
        args.extend_from_slice(extra);
        let r = careplay(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let streamed = page_of(&["--stream"]);
    assert_eq!(
        data(&streamed)["events"]["rows"].as_array().unwrap().len(),
        50
    );
    assert_eq!(streamed, page_of(&[]));
}
