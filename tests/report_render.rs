//! The reporter on a small, realistic scenario: promoting the security-info registration
//! policies (policy-model.md, "Protect security info registration") from report-only to On.
//! Members registering now need the MFA strength; guests registering are blocked.

use careplay::report::{
    render, Aggregator, EventRow, EventsWriter, FileSummary, Format, InputSummary, Outcome,
    PolicyInfo, Report, ReportError, ReportMeta,
};

const REG_POLICY: &str = "Combined Security Info Registration with TAP";
const GUEST_POLICY: &str = "Block guests from security info registration";
const MY_SIGNINS: &str = "19db86c3-b2b9-44cc-b339-36da233a3be2";
const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";
const EVIL_APP: &str = "Contoso <script>alert('x')</script> & Partners";

#[allow(clippy::too_many_arguments)]
fn row(
    request_id: &str,
    user_id: Option<&str>,
    upn: Option<&str>,
    app: (&str, &str),
    location: &str,
    client: &str,
    outcomes: (Outcome, Outcome),
    demand: &str,
    changed_by: &[&str],
    explanation: &str,
) -> EventRow {
    EventRow {
        request_id: request_id.to_owned(),
        created_at: Some(format!(
            "2026-03-02T08:{}:00Z",
            &request_id[request_id.len() - 2..]
        )),
        event_type: if user_id.is_some() || upn.is_some() {
            "interactiveUser".to_owned()
        } else {
            "servicePrincipal".to_owned()
        },
        user_id: user_id.map(str::to_owned),
        user_principal_name: upn.map(str::to_owned),
        user_display_name: upn.map(|u| u.split('@').next().unwrap_or(u).to_owned()),
        app_id: Some(app.0.to_owned()),
        app_display_name: Some(app.1.to_owned()),
        resource_id: None,
        resource_display_name: None,
        ip: Some("203.0.113.7".to_owned()),
        location: location.to_owned(),
        client_app_type: client.to_owned(),
        baseline_outcome: outcomes.0,
        candidate_outcome: outcomes.1,
        baseline_policies_applied: if outcomes.0 == Outcome::Challenged {
            vec!["Require MFA for admins".to_owned()]
        } else {
            vec![]
        },
        candidate_policies_applied: changed_by.iter().map(|s| (*s).to_owned()).collect(),
        candidate_demand: demand.to_owned(),
        changed_by: changed_by.iter().map(|s| (*s).to_owned()).collect(),
        explanation: explanation.to_owned(),
        country: None,
        device_id: None,
        device_os: None,
        device: careplay::report::DeviceCols::default(),
        error_code: None,
        baseline_policy_ids_applied: Vec::new(),
        candidate_policy_ids_applied: Vec::new(),
        changed_by_ids: Vec::new(),
        unknown_causes: Vec::new(),
    }
}

const NEEDS_STRENGTH: &str =
    "Combined Security Info Registration with TAP requires authentication strength \
     Multifactor authentication; the sign-in used password only";

fn scenario() -> Vec<EventRow> {
    use Outcome::*;
    let alice = Some("aaaaaaaa-0000-4000-8000-000000000001");
    let gina = Some("aaaaaaaa-0000-4000-8000-000000000007");
    vec![
        // Member registering security info from home: newly asked for the MFA strength.
        row(
            "req-0001",
            alice,
            Some("alice@contoso.com"),
            (MY_SIGNINS, "My Signins"),
            "Contoso HQ",
            "browser",
            (Allowed, Challenged),
            "authenticationStrength:Multifactor authentication",
            &[REG_POLICY],
            NEEDS_STRENGTH,
        ),
        // Same member again: two events, one user.
        row(
            "req-0002",
            alice,
            Some("Alice@Contoso.com"),
            (MY_SIGNINS, "My Signins"),
            "Contoso HQ",
            "browser",
            (Allowed, Challenged),
            "authenticationStrength:Multifactor authentication",
            &[REG_POLICY],
            NEEDS_STRENGTH,
        ),
        // Guest registering: newly blocked. The app name carries markup.
        row(
            "req-0003",
            gina,
            Some("gina_fabrikam.com#EXT#@contoso.onmicrosoft.com"),
            ("11111111-2222-4333-8444-555555555555", EVIL_APP),
            "FR",
            "browser",
            (Allowed, Blocked),
            "block",
            &[GUEST_POLICY],
            "Block guests from security info registration blocks b2bCollaborationGuest users",
        ),
        // Unchanged: member reading mail.
        row(
            "req-0004",
            Some("aaaaaaaa-0000-4000-8000-000000000002"),
            Some("bob@contoso.com"),
            (EXO, "Office 365 Exchange Online"),
            "Contoso HQ",
            "mobileAppsAndDesktopClients",
            (Allowed, Allowed),
            "",
            &[],
            "no enforced policy applies",
        ),
        // Unchanged challenge: an admin already asked for MFA.
        row(
            "req-0005",
            Some("aaaaaaaa-0000-4000-8000-000000000003"),
            Some("carol@contoso.com"),
            (EXO, "Office 365 Exchange Online"),
            "Contoso HQ",
            "browser",
            (Challenged, Challenged),
            "mfa",
            &[],
            "Require MFA for admins asks for mfa",
        ),
        // Unknown: group membership missing from the directory snapshot.
        row(
            "req-0006",
            Some("aaaaaaaa-0000-4000-8000-000000000004"),
            Some("dave@contoso.com"),
            (MY_SIGNINS, "My Signins"),
            "unknown",
            "browser",
            (Allowed, Unknown),
            "authenticationStrength:Multifactor authentication",
            &[REG_POLICY],
            "may be challenged: membership of group Registration Exclusions unknown",
        ),
        // Relieved: a device-compliance block lifted because the candidate set disables
        // it. Its explanation text is hostile to spreadsheets.
        row(
            "req-0008",
            Some("aaaaaaaa-0000-4000-8000-000000000005"),
            Some("erin@contoso.com"),
            (EXO, "Office 365 Exchange Online"),
            "FR",
            "exchangeActiveSync",
            (Blocked, Allowed),
            "",
            &["Block legacy authentication"],
            "=HYPERLINK(\"http://evil.example\",\"click\")",
        ),
        // Service principal, no user identity: counts as its own user (request id).
        row(
            "req-0007",
            None,
            None,
            (EXO, "Office 365 Exchange Online"),
            "unknown",
            "other",
            (Allowed, Allowed),
            "",
            &[],
            "no enforced policy applies",
        ),
    ]
}

fn meta() -> ReportMeta {
    ReportMeta {
        title: "Security info registration rollout".to_owned(),
        tenant: "contoso.onmicrosoft.com".to_owned(),
        changes: vec![
            format!("promote: {REG_POLICY}"),
            format!("promote: {GUEST_POLICY}"),
        ],
        policies: vec![
            PolicyInfo {
                id: "pol-1".to_owned(),
                name: REG_POLICY.to_owned(),
                baseline_state: "enabledForReportingButNotEnforced".to_owned(),
                candidate_state: "enabled".to_owned(),
            },
            PolicyInfo {
                id: "pol-2".to_owned(),
                name: GUEST_POLICY.to_owned(),
                baseline_state: "enabledForReportingButNotEnforced".to_owned(),
                candidate_state: "enabled".to_owned(),
            },
        ],
        input: InputSummary {
            files: vec![FileSummary {
                path: "logs/interactive.jsonl".to_owned(),
                format: "ndjson".to_owned(),
                rows_read: 9,
                rows_loaded: 7,
                rows_rejected: 1,
            }],
            rows_read: 9,
            rows_loaded: 7,
            rows_rejected: 1,
            duplicates_dropped: 1,
            rejected_by_reason: vec![("createdDateTime is not RFC 3339".to_owned(), 1)],
            policies_loaded: 3,
            policies_rejected: 0,
            ..InputSummary::default()
        },
        notes: vec!["directory snapshot lacks group Registration Exclusions".to_owned()],
        skipped_inputs: vec![],
        absent_inputs: vec![],
        filters: None,
    }
}

fn report_of(rows: &[EventRow]) -> Report {
    let mut agg = Aggregator::new();
    for r in rows {
        agg.push(r);
    }
    agg.finish(meta())
}

fn rendered(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    render(report, format, &mut out).expect("render into memory");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn aggregates_count_events_and_distinct_users() {
    let r = report_of(&scenario());
    assert_eq!(r.totals.all.events, 8);
    // alice (twice, UPN case differs but the user id is the key), gina, bob, carol, dave,
    // erin, and the service principal event keyed by its request id.
    assert_eq!(r.totals.all.users, 7);

    assert_eq!(r.newly_challenged(), 2);
    assert_eq!(r.newly_challenged_users(), 1);
    assert_eq!(r.newly_blocked(), 1);
    assert_eq!(r.newly_blocked_users(), 1);
    assert_eq!(r.newly_unknown(), 1);
    assert_eq!(r.newly_unknown_users(), 1);
    assert_eq!(r.relieved(), 1);
    assert_eq!(r.relieved_users(), 1);
    assert_eq!(r.totals.moved.events, 5);
    assert_eq!(r.totals.moved.users, 4);
    let cell = r.transition(Outcome::Blocked, Outcome::Allowed);
    assert_eq!((cell.events, cell.users), (1, 1));

    let cell = r.transition(Outcome::Allowed, Outcome::Challenged);
    assert_eq!((cell.events, cell.users), (2, 1));
    let cell = r.transition(Outcome::Allowed, Outcome::Allowed);
    assert_eq!((cell.events, cell.users), (2, 2));
    assert_eq!(r.transitions.len(), 16);
    assert_eq!(
        r.transitions.iter().map(|t| t.events).sum::<u64>(),
        r.totals.all.events
    );
    let base_allowed = &r.totals.baseline[0];
    assert_eq!(
        (base_allowed.outcome, base_allowed.events),
        (Outcome::Allowed, 6)
    );
}

#[test]
fn tables_are_ordered_by_count_then_name() {
    let r = report_of(&scenario());

    let users: Vec<(&str, u64)> = r
        .by_user
        .iter()
        .map(|u| (u.name.as_str(), u.events))
        .collect();
    assert_eq!(
        users,
        vec![
            ("Alice@Contoso.com", 2), // smallest label wins, whatever the push order
            ("dave@contoso.com", 1),
            ("erin@contoso.com", 1),
            ("gina_fabrikam.com#EXT#@contoso.onmicrosoft.com", 1),
        ]
    );
    assert_eq!(
        r.by_user[0].id.as_deref(),
        Some("aaaaaaaa-0000-4000-8000-000000000001")
    );
    assert_eq!(r.by_user[0].newly_challenged, 2);

    let policies: Vec<(&str, u64, u64)> = r
        .by_policy
        .iter()
        .map(|p| (p.name.as_str(), p.events, p.users))
        .collect();
    assert_eq!(
        policies,
        vec![
            (REG_POLICY, 3, 2),
            (GUEST_POLICY, 1, 1),
            ("Block legacy authentication", 1, 1),
        ]
    );
    assert_eq!(r.by_policy[2].relieved, 1);
    assert_eq!(r.by_policy[0].newly_unknown, 1);

    let apps: Vec<(&str, Option<&str>)> = r
        .by_app
        .iter()
        .map(|a| (a.name.as_str(), a.id.as_deref()))
        .collect();
    assert_eq!(
        apps,
        vec![
            ("My Signins", Some(MY_SIGNINS)),
            (EVIL_APP, Some("11111111-2222-4333-8444-555555555555")),
            ("Office 365 Exchange Online", Some(EXO)),
        ]
    );

    let locations: Vec<&str> = r.by_location.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(locations, vec!["Contoso HQ", "FR", "unknown"]);
    // Tie on 2 moved events each: name order.
    assert_eq!(r.by_location[0].events, 2);
    assert_eq!(r.by_location[1].events, 2);
    assert_eq!(r.by_client_app_type.len(), 2);
    assert_eq!(r.by_client_app_type[0].events, 4);

    let demands: Vec<(&str, u64, u64, u64)> = r
        .demands
        .iter()
        .map(|d| (d.demand.as_str(), d.events, d.users, d.moved_events))
        .collect();
    assert_eq!(
        demands,
        vec![
            ("authenticationStrength:Multifactor authentication", 3, 2, 3),
            ("block", 1, 1, 1),
            ("mfa", 1, 1, 0),
        ]
    );

    assert_eq!(r.explanations[0].explanation, NEEDS_STRENGTH);
    assert_eq!(r.explanations[0].events, 2);
    assert_eq!(r.explanations[0].example_request_id, "req-0001");
    assert_eq!(r.explanations.len(), 4);
}

#[test]
fn merging_aggregators_equals_one_pass() {
    let rows = scenario();
    let whole = report_of(&rows);
    for split in 0..=rows.len() {
        let (a, b) = rows.split_at(split);
        let mut left = Aggregator::new();
        a.iter().for_each(|r| left.push(r));
        let mut right = Aggregator::new();
        // Reverse order on one side: the result must not depend on push order.
        b.iter().rev().for_each(|r| right.push(r));
        right.merge(left);
        let merged = right.finish(meta());
        assert_eq!(merged, whole, "split at {split}");
        assert_eq!(
            rendered(&merged, Format::Json),
            rendered(&whole, Format::Json),
            "json bytes, split at {split}"
        );
    }
}

#[test]
fn json_carries_every_number() {
    let r = report_of(&scenario()).with_top(1);
    let v: serde_json::Value = serde_json::from_str(&rendered(&r, Format::Json)).expect("json");
    assert_eq!(v["totals"]["newly_blocked"]["events"], 1);
    assert_eq!(v["totals"]["newly_challenged"]["events"], 2);
    assert_eq!(v["totals"]["newly_challenged"]["users"], 1);
    assert_eq!(v["totals"]["all"]["users"], 7);
    assert_eq!(v["totals"]["relieved"]["events"], 1);
    // JSON ignores the display cap.
    assert_eq!(v["by_user"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        v["by_user"][0]["id"],
        "aaaaaaaa-0000-4000-8000-000000000001"
    );
    assert_eq!(v["transitions"][1]["baseline"], "allowed");
    assert_eq!(v["transitions"][1]["candidate"], "challenged");
    assert_eq!(v["transitions"][1]["events"], 2);
    assert_eq!(v["input"]["rejected_by_reason"][0][1], 1);
    assert_eq!(v["policies"][0]["candidate_state"], "enabled");
    assert!(v.get("top").is_none());
}

#[test]
fn csv_blocks_parse_with_the_csv_crate() {
    let r = report_of(&scenario()).with_top(2);
    let text = rendered(&r, Format::Csv);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut blocks: Vec<(Vec<String>, Vec<Vec<String>>)> = Vec::new();
    for rec in reader.records() {
        let rec: Vec<String> = rec.expect("valid csv").iter().map(str::to_owned).collect();
        if rec[0] == "section" {
            blocks.push((rec, Vec::new()));
        } else {
            let (header, rows) = blocks.last_mut().expect("a header before rows");
            assert_eq!(rec.len(), header.len(), "width of {rec:?}");
            rows.push(rec);
        }
    }
    let block = |id: &str| {
        blocks
            .iter()
            .find(|(_, rows)| rows.first().is_some_and(|r| r[0] == id))
            .unwrap_or_else(|| panic!("no {id} block"))
    };
    let (header, summary) = block("summary");
    assert_eq!(header, &["section", "change", "events", "users"]);
    assert_eq!(summary[0], ["summary", "newly blocked", "1", "1"]);
    assert_eq!(summary[1], ["summary", "newly challenged", "2", "1"]);

    let (_, transitions) = block("transitions");
    assert_eq!(transitions.len(), 16);
    assert_eq!(
        transitions[1],
        ["transitions", "allowed", "challenged", "2", "1"]
    );

    // Capped at 2 rows plus the "(N more)" row.
    let (_, users) = block("by_user");
    assert_eq!(users.len(), 3);
    assert_eq!(users[2][1], "(2 more)");

    // A name with a comma, quotes or markup survives RFC 4180 quoting.
    let (_, apps) = block("by_app");
    assert!(apps.iter().any(|r| r[1] == EVIL_APP));
    let (_, explanations) = block("explanations");
    assert!(
        explanations
            .iter()
            .any(|r| r[1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"),
        "{explanations:?}"
    );
    let (_, headline) = block("headline");
    assert!(headline[0][1].starts_with("1 event (1 user) would be newly blocked"));
}

#[test]
fn terminal_leads_with_the_answer_then_tables_then_accounting() {
    let r = report_of(&scenario()).with_top(1);
    let text = rendered(&r, Format::Terminal);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Security info registration rollout");
    assert_eq!(lines[1], "Tenant: contoso.onmicrosoft.com");
    assert_eq!(
        lines[2],
        "1 event (1 user) would be newly blocked, 2 events (1 user) newly challenged"
    );
    let pos = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from:\n{text}"))
    };
    assert!(pos("Moved events by user") < pos("Input accounting"));
    assert!(pos("Outcome transitions") < pos("Moved events by policy"));
    assert!(
        text.contains("(3 more)"),
        "cap line for 4 users shown 1:\n{text}"
    );
    assert!(!text.contains('\u{1b}'), "no escape codes");
    let uncapped = rendered(&r.clone().with_top(0), Format::Terminal);
    assert!(!uncapped.contains(" more)"), "top 0 = no cap:\n{uncapped}");
    assert!(uncapped.contains("gina_fabrikam.com#EXT#@contoso.onmicrosoft.com"));
    // Aligned: numeric columns are right-aligned under their header.
    let header = lines
        .iter()
        .position(|l| l.starts_with("change "))
        .expect("summary header");
    assert!(lines[header + 2].starts_with("newly blocked"));
    assert_eq!(
        lines[header].find("events").map(|i| i + "events".len()),
        lines[header + 2].find(" 1 ").map(|i| i + 2)
    );
}

#[test]
fn markdown_has_github_tables() {
    let r = report_of(&scenario());
    let text = rendered(&r, Format::Markdown);
    assert!(text.starts_with("# Security info registration rollout\n"));
    assert!(text.contains(
        "**1 event (1 user) would be newly blocked, 2 events (1 user) newly challenged**"
    ));
    assert!(text.contains(
        "| policy | events | users | newly blocked | newly challenged | newly unknown | relieved |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | Combined Security Info Registration with TAP | 3 | 2 | 0 | 2 | 1 | 0 |"
    ));
    // The guest UPN's '#' and the app's markup cannot break the table.
    assert!(text.contains("gina\\_fabrikam.com\\#EXT\\#@contoso.onmicrosoft.com"));
    assert!(!text.contains("<script>"));
    assert!(text.find("Moved events by user") < text.find("Input accounting"));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let r = report_of(&scenario());
    let text = rendered(&r, Format::Html);
    assert!(text.starts_with("<!DOCTYPE html>"));
    // The page's own two scripts (its JSON data and its code), no third from the data.
    assert_eq!(text.matches("<script").count(), 2, "raw markup leaked");
    assert!(!text.contains(EVIL_APP), "raw markup leaked");
    assert!(text.contains("Contoso &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Partners"));
    for external in ["src=", "href=", "<link", "@import", "url("] {
        assert!(
            !text.contains(external),
            "{external} in a self-contained page"
        );
    }
    let answer = text.find("would be newly blocked").expect("headline");
    let first_table = text.find("<table").expect("tables");
    let accounting = text.find("Input accounting").expect("accounting");
    assert!(answer < first_table && first_table < accounting);
    assert_eq!(
        text.matches("<table").count(),
        text.matches("</table>").count()
    );
}

#[test]
fn renders_are_deterministic_and_survive_an_empty_run() {
    let rows = scenario();
    let mut reversed = rows.clone();
    reversed.reverse();
    let a = report_of(&rows);
    let b = report_of(&reversed);
    for f in Format::ALL {
        assert_eq!(rendered(&a, f), rendered(&b, f), "{f}");
    }
    let empty = Aggregator::new().finish(ReportMeta::default());
    assert_eq!(empty.newly_blocked(), 0);
    for f in Format::ALL {
        let text = rendered(&empty, f);
        assert!(!text.is_empty(), "{f}");
    }
    assert!(
        rendered(&empty, Format::Terminal).starts_with("0 events (0 users) would be newly blocked")
    );
}

#[test]
fn format_names_parse() {
    for f in Format::ALL {
        assert_eq!(f.as_str().parse::<Format>(), Ok(f));
    }
    assert_eq!("MD".parse::<Format>(), Ok(Format::Markdown));
    let err = "yaml".parse::<Format>().unwrap_err();
    assert!(err.to_string().contains("\"yaml\""), "{err}");
}

#[test]
fn ndjson_events_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.ndjson");
    let rows = scenario();
    let mut w = EventsWriter::create(&path).expect("create");
    w.write(&rows[..3]).expect("write");
    w.write(&rows[3..]).expect("write");
    assert_eq!(w.finish().expect("finish"), rows.len() as u64);

    let text = std::fs::read_to_string(&path).expect("read back");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), rows.len());
    for (v, r) in lines.iter().zip(&rows) {
        let expected = serde_json::to_value(r).expect("row to json");
        for (k, want) in expected.as_object().expect("object") {
            assert_eq!(&v[k], want, "{k} of {}", r.request_id);
        }
    }
    assert_eq!(lines[2]["change"], "newly_blocked");
    assert_eq!(lines[3]["change"], "unchanged");
    assert_eq!(lines[6]["change"], "relieved");
    assert_eq!(lines[7]["user_id"], serde_json::Value::Null);
}

fn str_column(df: &polars::prelude::DataFrame, name: &str) -> Vec<Option<String>> {
    // Category columns (outcomes, change) read back as polars Categorical: as text.
    df.column(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .cast(&polars::prelude::DataType::String)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .str()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect()
}

fn list_column(df: &polars::prelude::DataFrame, name: &str) -> Vec<Vec<String>> {
    let lists = df
        .column(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .list()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (0..lists.len())
        .map(|i| {
            let s = lists.get_as_series(i).expect("lists are never null");
            s.str()
                .expect("list of strings")
                .iter()
                .map(|v| v.expect("no null members").to_owned())
                .collect()
        })
        .collect()
}

fn read_parquet(path: &std::path::Path) -> polars::prelude::DataFrame {
    use polars::prelude::{ParquetReader, SerReader};
    let file = std::fs::File::open(path).expect("open parquet");
    ParquetReader::new(file).finish().expect("read parquet")
}

#[test]
fn parquet_events_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.parquet");
    let rows = scenario();
    let mut w = EventsWriter::create(&path).expect("create");
    w.write(&rows).expect("write");
    assert_eq!(w.finish().expect("finish"), rows.len() as u64);

    let df = read_parquet(&path);
    assert_eq!(df.height(), rows.len());
    let opt = |f: fn(&EventRow) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    assert_eq!(
        str_column(&df, "request_id"),
        opt(|r| Some(r.request_id.clone()))
    );
    // A UTC timestamp in microseconds, the same instant as the row's RFC 3339 text.
    let created = df.column("created_at").expect("created_at");
    assert_eq!(
        created.dtype(),
        &polars::prelude::DataType::Datetime(
            polars::prelude::TimeUnit::Microseconds,
            Some(polars::prelude::TimeZone::UTC)
        )
    );
    let micros: Vec<Option<i64>> = created
        .cast(&polars::prelude::DataType::Int64)
        .expect("as i64")
        .i64()
        .expect("i64")
        .iter()
        .collect();
    assert_eq!(
        micros,
        rows.iter()
            .map(|r| r
                .created_at
                .as_deref()
                .map(|t| chrono::DateTime::parse_from_rfc3339(t)
                    .expect("rfc 3339")
                    .timestamp_micros()))
            .collect::<Vec<_>>()
    );
    assert_eq!(str_column(&df, "user_id"), opt(|r| r.user_id.clone()));
    assert_eq!(
        str_column(&df, "user_principal_name"),
        opt(|r| r.user_principal_name.clone())
    );
    assert_eq!(
        str_column(&df, "app_display_name"),
        opt(|r| r.app_display_name.clone())
    );
    assert_eq!(
        str_column(&df, "location"),
        opt(|r| Some(r.location.clone()))
    );
    assert_eq!(
        str_column(&df, "baseline_outcome"),
        opt(|r| Some(r.baseline_outcome.to_string()))
    );
    assert_eq!(
        str_column(&df, "candidate_outcome"),
        opt(|r| Some(r.candidate_outcome.to_string()))
    );
    assert_eq!(
        str_column(&df, "candidate_demand"),
        opt(|r| Some(r.candidate_demand.clone()))
    );
    assert_eq!(
        str_column(&df, "explanation"),
        opt(|r| Some(r.explanation.clone()))
    );
    let lists = |f: fn(&EventRow) -> Vec<String>| rows.iter().map(f).collect::<Vec<_>>();
    assert_eq!(
        list_column(&df, "changed_by"),
        lists(|r| r.changed_by.clone())
    );
    assert_eq!(
        list_column(&df, "baseline_policies_applied"),
        lists(|r| r.baseline_policies_applied.clone())
    );
    assert_eq!(
        list_column(&df, "candidate_policies_applied"),
        lists(|r| r.candidate_policies_applied.clone())
    );
    assert_eq!(
        str_column(&df, "change")[2].as_deref(),
        Some("newly_blocked")
    );
}

#[test]
fn parquet_writes_several_row_groups_and_empty_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = scenario();
    let n = careplay::report::events::PARQUET_BATCH_ROWS + 5;
    let rows: Vec<EventRow> = (0..n)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            r.request_id = format!("req-{i:06}");
            r
        })
        .collect();
    let path = dir.path().join("big.PARQUET");
    let mut w = EventsWriter::create(&path).expect("create");
    for chunk in rows.chunks(10_000) {
        w.write(chunk).expect("write");
    }
    w.finish().expect("finish");
    let df = read_parquet(&path);
    assert_eq!(df.height(), n);
    let ids = str_column(&df, "request_id");
    assert_eq!(ids[n - 1].as_deref(), Some(rows[n - 1].request_id.as_str()));
    assert_eq!(ids[70].as_deref(), Some("req-000070"));

    let path = dir.path().join("empty.parquet");
    EventsWriter::create(&path)
        .expect("create")
        .finish()
        .expect("finish");
    let df = read_parquet(&path);
    assert_eq!(df.height(), 0);
    assert!(df.column("changed_by").is_ok());
}

#[test]
fn events_writer_rejects_unknown_extensions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.xlsx");
    match EventsWriter::create(&path) {
        Err(e @ ReportError::UnknownExtension { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("events.xlsx") && msg.contains(".parquet"),
                "{msg}"
            );
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("accepted an .xlsx events file"),
    }
    assert!(!path.exists(), "nothing created for a rejected name");
    let missing = dir.path().join("no/such/dir/events.ndjson");
    let err = EventsWriter::create(&missing)
        .err()
        .expect("missing folder");
    assert!(
        err.to_string().contains("no/such/dir/events.ndjson"),
        "{err}"
    );
}
