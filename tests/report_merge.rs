//! Merge laws of the report aggregates: however rows are split across workers (rayon
//! fold/reduce or any partition) and in whatever order, the report is the same.

use careplay::report::{
    render, Aggregator, EventRow, Format, Outcome, Report, ReportMeta, UnknownCause,
};
use proptest::prelude::*;
use rayon::prelude::*;

const USERS: [(Option<&str>, Option<&str>); 5] = [
    (Some("u-1"), Some("alice@contoso.com")),
    (Some("U-1"), Some("ALICE@contoso.com")), // same user, other casing
    (Some("u-2"), Some("bob@contoso.com")),
    (
        None,
        Some("guest_fabrikam.com#EXT#@contoso.onmicrosoft.com"),
    ),
    (None, None), // service principal: keyed by request id
];
const APPS: [(&str, &str); 3] = [
    ("19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins"),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
];
const POLICIES: [&str; 3] = [
    "Registration with TAP",
    "Block guests",
    "Require compliant device",
];
const CAUSES: [&str; 2] = ["userRisk", "users"];

const DEMANDS: [&str; 4] = [
    "",
    "mfa",
    "block",
    "authenticationStrength:Phishing-resistant MFA;compliantDevice",
];

fn arb_outcome() -> impl Strategy<Value = Outcome> {
    prop::sample::select(Outcome::ALL.to_vec())
}

fn arb_row() -> impl Strategy<Value = EventRow> {
    (
        0..USERS.len(),
        0..APPS.len(),
        arb_outcome(),
        arb_outcome(),
        prop::collection::vec(0..POLICIES.len(), 0..3),
        0..DEMANDS.len(),
        0..3usize,
        0..1000u32,
    )
        .prop_map(|(u, a, base, cand, pols, d, loc, req)| EventRow {
            request_id: format!("req-{req:04}"),
            created_at: None,
            event_type: "interactiveUser".to_owned(),
            user_id: USERS[u].0.map(str::to_owned),
            user_principal_name: USERS[u].1.map(str::to_owned),
            user_display_name: None,
            app_id: Some(APPS[a].0.to_owned()),
            app_display_name: Some(APPS[a].1.to_owned()),
            resource_id: None,
            resource_display_name: None,
            ip: None,
            location: ["Contoso HQ", "FR", "unknown"][loc].to_owned(),
            client_app_type: ["browser", "other"][loc % 2].to_owned(),
            baseline_outcome: base,
            candidate_outcome: cand,
            baseline_policies_applied: vec![],
            candidate_policies_applied: vec![],
            candidate_demand: DEMANDS[d].to_owned(),
            changed_by: pols.iter().map(|&p| POLICIES[p].to_owned()).collect(),
            explanation: format!("{base} -> {cand}"),
            country: None,
            device_id: None,
            device_os: None,
            device: careplay::report::DeviceCols::default(),
            error_code: None,
            baseline_policy_ids_applied: Vec::new(),
            candidate_policy_ids_applied: Vec::new(),
            changed_by_ids: Vec::new(),
            unknown_causes: Vec::new(),
        })
}

fn one_pass(rows: &[EventRow]) -> Report {
    let mut agg = Aggregator::new();
    rows.iter().for_each(|r| agg.push(r));
    agg.finish(ReportMeta::default())
}

fn json(r: &Report) -> Vec<u8> {
    let mut out = Vec::new();
    render(r, Format::Json, &mut out).expect("render");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_partition_merges_to_the_one_pass_report(
        rows in prop::collection::vec(arb_row(), 0..60),
        cuts in prop::collection::vec(0..60usize, 0..4),
    ) {
        let whole = one_pass(&rows);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
        cuts.sort_unstable();
        let mut parts = Vec::new();
        let mut start = 0;
        for c in cuts.into_iter().chain([rows.len()]) {
            let mut agg = Aggregator::new();
            rows[start..c].iter().for_each(|r| agg.push(r));
            parts.push(agg);
            start = c;
        }
        // Merge right to left, the reverse of the split order.
        let mut merged = Aggregator::new();
        for p in parts.into_iter().rev() {
            merged.merge(p);
        }
        let merged = merged.finish(ReportMeta::default());
        prop_assert_eq!(json(&merged), json(&whole));
        prop_assert_eq!(merged, whole.clone());

        // Totals are consistent with the matrix and the four kinds of move.
        let t = &whole.totals;
        prop_assert_eq!(t.all.events, rows.len() as u64);
        prop_assert_eq!(
            t.moved.events,
            t.newly_blocked.events + t.newly_challenged.events + t.newly_unknown.events
                + t.relieved.events
        );
        let moved = rows.iter().filter(|r| r.baseline_outcome != r.candidate_outcome).count();
        prop_assert_eq!(t.moved.events, moved as u64);
        let user_events: u64 = whole.by_user.iter().map(|u| u.events).sum();
        prop_assert_eq!(user_events, t.moved.events);
        prop_assert_eq!(whole.by_user.len() as u64, t.moved.users);
    }
}

#[test]
fn rayon_fold_reduce_equals_one_pass() {
    let rows: Vec<EventRow> = (0..5_000u32)
        .map(|i| {
            let base = Outcome::ALL[(i % 4) as usize];
            let cand = Outcome::ALL[((i / 4) % 4) as usize];
            let (uid, upn) = USERS[(i % 5) as usize];
            EventRow {
                request_id: format!("req-{i:05}"),
                created_at: None,
                event_type: "interactiveUser".to_owned(),
                user_id: uid.map(|u| format!("{u}-{}", i % 97)),
                user_principal_name: upn.map(str::to_owned),
                user_display_name: None,
                app_id: Some(APPS[(i % 3) as usize].0.to_owned()),
                app_display_name: Some(APPS[(i % 3) as usize].1.to_owned()),
                resource_id: None,
                resource_display_name: None,
                ip: None,
                location: "FR".to_owned(),
                client_app_type: "browser".to_owned(),
                baseline_outcome: base,
                candidate_outcome: cand,
                baseline_policies_applied: vec![],
                candidate_policies_applied: vec![],
                candidate_demand: DEMANDS[(i % 4) as usize].to_owned(),
                changed_by: vec![POLICIES[(i % 3) as usize].to_owned()],
                explanation: format!("explanation {}", i % 7),
                // Undecided events carry causes whose example reasons differ by event, so
                // the merged example (the smallest) depends on merging right.
                country: None,
                device_id: None,
                device_os: None,
                device: careplay::report::DeviceCols::default(),
                error_code: None,
                baseline_policy_ids_applied: Vec::new(),
                candidate_policy_ids_applied: Vec::new(),
                changed_by_ids: Vec::new(),
                unknown_causes: if base == Outcome::Unknown || cand == Outcome::Unknown {
                    vec![UnknownCause {
                        cause: CAUSES[(i % 2) as usize],
                        reason: format!("reason {}", i % 11).into(),
                    }]
                } else {
                    vec![]
                },
            }
        })
        .collect();
    let parallel = rows
        .par_iter()
        .fold(Aggregator::new, |mut a, r| {
            a.push(r);
            a
        })
        .reduce(Aggregator::new, |mut a, b| {
            a.merge(b);
            a
        })
        .finish(ReportMeta::default());
    let serial = one_pass(&rows);
    assert_eq!(parallel, serial);
    assert_eq!(serial.totals.all.events, 5_000);
    // 4 of 16 cells are the diagonal: a quarter of the events stay put.
    assert_eq!(serial.totals.moved.events, 3_750);
    let undecided = rows
        .iter()
        .filter(|r| {
            r.baseline_outcome == Outcome::Unknown || r.candidate_outcome == Outcome::Unknown
        })
        .count() as u64;
    assert!(undecided > 0);
    assert_eq!(serial.totals.undecided.events, undecided);
    let causes: u64 = serial.undecided_by_cause.iter().map(|c| c.events).sum();
    assert_eq!(causes, serial.totals.undecided.events);
}
