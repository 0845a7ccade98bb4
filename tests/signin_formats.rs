//! One test per export family on small fixtures written from signin-logs.md.

use careplay::signin::{self, EventType, LoadOptions, Loaded, SignInRecord};
use std::io::Write;
use std::path::PathBuf;

fn fx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signin")
        .join(name)
}

fn load(paths: &[PathBuf]) -> Loaded {
    signin::load(paths, &LoadOptions::default()).expect("load")
}

fn by_id<'a>(l: &'a Loaded, id: &str) -> &'a SignInRecord {
    l.records
        .iter()
        .find(|r| r.event_id == id)
        .unwrap_or_else(|| panic!("no record {id}"))
}

#[test]
fn graph_v1_page_object() {
    let l = load(&[fx("graph_v1_page.json")]);
    assert_eq!(l.ledger.files[0].format, "graph-json");
    assert_eq!(
        (
            l.ledger.rows_read(),
            l.ledger.rows_loaded(),
            l.ledger.rows_rejected()
        ),
        (2, 2, 0)
    );
    let a = by_id(&l, "66ea54eb-6301-4ee5-be62-ff5a759b0100");
    assert_eq!(a.event_type, EventType::InteractiveUser);
    assert_eq!(
        a.user_upn.as_deref(),
        Some("alice@contoso.com"),
        "UPN lowercased"
    );
    assert_eq!(a.user_type, None, "v1.0 has no userType: stays unknown");
    assert_eq!(
        a.device_id.as_deref(),
        Some(""),
        "empty deviceId kept: no registered device"
    );
    assert_eq!(a.device_is_compliant, None, "null compliance stays unknown");
    assert_eq!(a.country.as_deref(), Some("US"));
    assert_eq!(a.acr_refs, None);
    assert_eq!(a.ca_policies.as_deref(), Some(&[][..]));
    let b = by_id(&l, "b01b1a1b-2c2c-4d4d-8e8e-9f9f00000002");
    assert_eq!(b.ip.as_deref(), Some("2001:db8::7"));
    assert_eq!(
        b.country.as_deref(),
        Some(""),
        "empty country = lookup found none"
    );
    assert_eq!(b.error_code, Some(53003));
    assert_eq!(b.sign_in_risk.as_deref(), Some("hidden"));
    let p = &b.ca_policies.as_ref().unwrap()[0];
    assert_eq!(
        (p.result.as_deref(), p.grant_controls.as_slice()),
        (Some("failure"), &["Block".to_string()][..])
    );
}

#[test]
fn graph_beta_array_with_nested_facts() {
    let l = load(&[fx("graph_beta_array.json")]);
    assert_eq!(l.ledger.rows_loaded(), 2);
    let g = by_id(&l, "c0c0c0c0-0000-4000-8000-000000000001");
    assert_eq!(
        g.ip.as_deref(),
        Some("2001:db8::42"),
        "brackets and port stripped"
    );
    assert_eq!(g.user_type.as_deref(), Some("guest"));
    assert_eq!(
        g.cross_tenant_access_type,
        Some(vec!["b2bCollaboration".to_string()])
    );
    assert_eq!(g.country.as_deref(), Some("NO"));
    assert_eq!(
        g.network_names,
        Some(vec!["Oslo office".to_string(), "HQ".to_string()])
    );
    assert_eq!(
        g.auth_methods,
        Some(vec!["Password".to_string(), "Text message".to_string()]),
        "failed FIDO2 step is not a method used"
    );
    assert_eq!(g.mfa_satisfied, Some(true));
    assert_eq!(g.acr_refs.as_ref().map(Vec::len), Some(2));
    let cap = g.ca_policies.as_ref().unwrap();
    assert_eq!(cap[0].result.as_deref(), Some("reportOnlySuccess"));
    assert_eq!(cap[0].conditions_satisfied, Some(3), "text flags to bits");
    assert_eq!(cap[0].auth_strength_result.as_deref(), Some("satisfied"));
    assert_eq!(cap[1].result.as_deref(), Some("notEnabled"));
    let sp = by_id(&l, "c0c0c0c0-0000-4000-8000-000000000002");
    assert_eq!(sp.event_type, EventType::ServicePrincipal);
    assert_eq!(
        sp.ip.as_deref(),
        Some("198.51.100.9"),
        "IPv4-mapped to IPv4"
    );
    assert_eq!(sp.user_id, None, "\"\" user id is absent");
    assert_eq!(sp.created_at.unwrap().timestamp_subsec_micros(), 123456);
}

#[test]
fn graph_ndjson_duplicates_keep_the_last_by_time() {
    let l = load(&[fx("graph_ndjson.jsonl")]);
    let f = &l.ledger.files[0];
    assert_eq!(
        (f.rows_read, f.rows_loaded, f.duplicates, f.rows_rejected),
        (3, 2, 1, 0)
    );
    let r = by_id(&l, "d1d1d1d1-0000-4000-8000-000000000001");
    assert_eq!(
        r.ip.as_deref(),
        Some("192.0.2.2"),
        "the later createdDateTime wins"
    );
    assert_eq!(r.event_type, EventType::NonInteractiveUser);
}

#[test]
fn graph_concatenated_texts() {
    let l = load(&[fx("graph_concat.json")]);
    let ids: Vec<&str> = l.records.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, vec!["e1", "e2", "e3", "e4"]);
    assert_eq!(l.ledger.rows_rejected(), 0);
}

#[test]
fn diagnostic_folder_tree_uses_record_time_for_duplicates() {
    let l = load(&[fx("diag_tree")]);
    assert_eq!(l.ledger.files.len(), 1, "PT1H.json found recursively");
    let f = &l.ledger.files[0];
    assert!(f.path.ends_with("PT1H.json"));
    assert_eq!(f.format, "diagnostic-json");
    assert_eq!((f.rows_read, f.rows_loaded, f.duplicates), (3, 2, 1));
    let d = by_id(&l, "f1f1f1f1-0000-4000-8000-000000000001");
    assert_eq!(
        d.error_code,
        Some(0),
        "the later record (MFA done) is the replay unit"
    );
    assert_eq!(d.mfa_satisfied, Some(true));
    assert_eq!(
        d.user_type.as_deref(),
        Some("member"),
        "`Member` lowercased"
    );
    assert_eq!(
        d.ca_policies.as_ref().unwrap()[0].conditions_satisfied,
        Some(3)
    );
    assert_eq!(d.log_category.as_deref(), Some("SignInLogs"));
    let mi = by_id(&l, "f1f1f1f1-0000-4000-8000-000000000009");
    assert_eq!(mi.event_type, EventType::ManagedIdentity);
    assert_eq!(mi.ip, None, "empty MI IP is absent, not rejected");
    assert_eq!(mi.msi_type.as_deref(), Some("systemAssigned"));
}

#[test]
fn event_hub_bodies() {
    let l = load(&[fx("eventhub.json")]);
    assert_eq!(l.ledger.files[0].format, "eventhub-json");
    let types: Vec<EventType> = l.records.iter().map(|r| r.event_type).collect();
    assert_eq!(
        types,
        vec![
            EventType::NonInteractiveUser,
            EventType::ServicePrincipal,
            EventType::InteractiveUser
        ]
    );
    assert_eq!(
        by_id(&l, "aa000001-0000-4000-8000-000000000002").error_code,
        Some(7000215)
    );
}

#[test]
fn log_analytics_csv_with_json_text_cells_and_us_dates() {
    let l = load(&[fx("la_signinlogs.csv")]);
    let f = &l.ledger.files[0];
    assert_eq!(
        (
            f.format.as_str(),
            f.rows_read,
            f.rows_loaded,
            f.rows_rejected
        ),
        ("la-csv", 2, 2, 0)
    );
    let r = by_id(&l, "la000001-0000-4000-8000-000000000001");
    assert_eq!(
        r.created_at.unwrap().to_rfc3339(),
        "2023-05-25T16:32:40.100+00:00"
    );
    assert_eq!(
        r.record_time.unwrap().to_rfc3339(),
        "2023-05-25T16:32:49.469+00:00"
    );
    assert_eq!(
        r.resource_id.as_deref(),
        Some("cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"),
        "ResourceIdentity, not the Azure path"
    );
    assert_eq!(r.os_raw.as_deref(), Some("Android 13"));
    assert_eq!(r.device_is_compliant, Some(true));
    assert_eq!(r.city.as_deref(), Some("Austin"));
    assert_eq!(
        r.auth_methods,
        Some(vec!["Password".into(), "OATH verification code".into()])
    );
    assert_eq!(r.ca_policies.as_ref().unwrap()[0].id, "p-la-1");
    let r2 = by_id(&l, "la000001-0000-4000-8000-000000000002");
    assert_eq!(r2.error_code, Some(50126));
    assert_eq!(
        r2.country.as_deref(),
        Some("US"),
        "falls back to the Location column"
    );
}

#[test]
fn log_analytics_json_with_string_nested_columns() {
    let l = load(&[fx("la_noninteractive.json")]);
    assert_eq!(l.ledger.files[0].format, "la-json");
    let r = by_id(&l, "ln000001-0000-4000-8000-000000000001");
    assert_eq!(
        r.event_type,
        EventType::NonInteractiveUser,
        "from the table name"
    );
    assert_eq!(
        r.resource_id.as_deref(),
        Some("00000003-0000-0000-c000-000000000000")
    );
    assert_eq!(r.city.as_deref(), Some("Stockholm"));
    assert_eq!(r.client_app_raw.as_deref(), Some("Unknown"));
    assert_eq!(r.acr_refs, Some(vec![]), "present and empty");
    let r2 = by_id(&l, "ln000001-0000-4000-8000-000000000002");
    assert_eq!(r2.device_is_compliant, Some(false));
    assert_eq!(
        r2.ca_policies.as_ref().unwrap()[0].conditions_satisfied,
        Some(263)
    );
    assert_eq!(r2.country.as_deref(), Some(""));
}

#[test]
fn portal_csv_with_auth_details_join() {
    let l = load(&[
        fx("InteractiveSignIns_2025-12-04_2025-12-05.csv"),
        fx("InteractiveSignIns_AuthDetails_2025-12-04_2025-12-05.csv"),
    ]);
    let main = l
        .ledger
        .files
        .iter()
        .find(|f| f.format == "portal-csv")
        .unwrap();
    assert_eq!(
        (main.rows_read, main.rows_loaded, main.rows_rejected),
        (2, 2, 0)
    );
    let auth = l
        .ledger
        .files
        .iter()
        .find(|f| f.format == "portal-authdetails-csv")
        .unwrap();
    assert_eq!(
        (auth.rows_read, auth.rows_loaded, auth.rows_rejected),
        (4, 3, 1)
    );
    let ex = &auth.rejected[&signin::RejectKind::UnmatchedAuthDetail].examples[0];
    assert!(
        ex.contains(":5: ") && ex.contains("pc000009-0000-4000-8000-00000000dead"),
        "{ex}"
    );

    let h = by_id(&l, "pc000001-0000-4000-8000-000000000001");
    assert_eq!(
        h.event_type,
        EventType::InteractiveUser,
        "from the file name"
    );
    assert_eq!(
        h.app_id.as_deref(),
        Some("00000002-0000-0ff1-ce00-000000000000"),
        "`Application ID ` with trailing space"
    );
    assert_eq!(
        (h.city.as_deref(), h.state.as_deref(), h.country.as_deref()),
        (Some("Melbourne"), Some("Victoria"), Some("AU"))
    );
    assert_eq!(
        (h.device_is_compliant, h.device_is_managed),
        (Some(true), Some(false))
    );
    assert_eq!(
        h.auth_methods,
        Some(vec!["Password".into(), "Previously satisfied".into()])
    );
    assert_eq!(h.mfa_satisfied, Some(true));
    assert_eq!(
        h.auth_requirement.as_deref(),
        Some("multiFactorAuthentication")
    );
    assert_eq!(h.ca_status.as_deref(), Some("success"));
    assert_eq!(h.ca_policies, None, "no per-policy data in portal CSV");
    let i = by_id(&l, "pc000001-0000-4000-8000-000000000002");
    assert_eq!(i.ca_status.as_deref(), Some("notApplied"));
    assert_eq!(i.device_is_compliant, None);
    assert_eq!(i.country.as_deref(), Some(""));
    assert_eq!(i.auth_methods, Some(vec![]), "only a failed password step");
    assert_eq!(i.mfa_satisfied, Some(false));
}

#[test]
fn portal_service_principal_csv() {
    let l = load(&[fx("ApplicationSignIns_2025-12-04_2025-12-05.csv")]);
    let r = &l.records[0];
    assert_eq!(r.event_type, EventType::ServicePrincipal);
    assert_eq!(r.sp_id.as_deref(), Some("sp-77"));
    assert_eq!(
        r.resource_id.as_deref(),
        Some("00000003-0000-0000-c000-000000000000")
    );
    assert_eq!(r.country.as_deref(), Some("NL"));
}

#[test]
fn gzip_is_detected_by_content_and_globs_expand() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("signins.log"); // no .gz extension on purpose
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(fx("graph_ndjson.jsonl")).unwrap())
        .unwrap();
    enc.finish().unwrap();
    std::fs::copy(fx("eventhub.json"), dir.path().join("eh.json")).unwrap();
    let pattern = dir.path().join("*").display().to_string();
    let l = load(&[PathBuf::from(pattern)]);
    assert_eq!(l.ledger.files.len(), 2);
    let gzf = l
        .ledger
        .files
        .iter()
        .find(|f| f.path.ends_with("signins.log"))
        .unwrap();
    assert!(gzf.compressed);
    assert_eq!((gzf.format.as_str(), gzf.rows_loaded), ("graph-json", 2));
    assert_eq!(l.ledger.rows_loaded(), 5);
}

#[test]
fn forced_format_and_streaming_batches() {
    let opts = LoadOptions {
        format: Some(signin::Format::Graph),
        progress: false,
        ..LoadOptions::default()
    };
    let mut batches = Vec::new();
    let ledger = signin::stream(&[fx("graph_concat.json")], &opts, 3, |b| {
        batches.push(b.len());
        Ok::<(), std::io::Error>(())
    })
    .unwrap();
    assert_eq!(batches, vec![3, 1]);
    assert_eq!(ledger.rows_loaded(), 4);
    let summary = ledger.to_input_summary();
    assert_eq!(
        (summary.rows_read, summary.rows_loaded, summary.files.len()),
        (4, 4, 1)
    );
    assert_eq!(summary.files[0].format, "graph-json");
}

#[test]
fn unreadable_inputs_are_typed_errors() {
    let missing = signin::load(&[fx("nope.json")], &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(missing, signin::LoadError::NotFound { .. }),
        "{missing}"
    );
    let none = signin::load(&[fx("*.nothing")], &LoadOptions::default()).unwrap_err();
    assert!(matches!(none, signin::LoadError::NoMatch { .. }), "{none}");
}

#[test]
fn streaming_large_ndjson_delivers_bounded_batches() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.jsonl");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    for i in 0..20_000u32 {
        writeln!(
            w,
            "{{\"id\":\"id-{i}\",\"createdDateTime\":\"2026-01-01T00:00:00Z\",\"ipAddress\":\"10.0.{}.{}\",\"isInteractive\":true}}",
            i / 256 % 256,
            i % 256
        )
        .unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let mut max = 0;
    let mut total = 0;
    let ledger = signin::stream(&[p], &LoadOptions::default(), 1000, |b| {
        max = max.max(b.len());
        total += b.len();
        Ok::<(), std::io::Error>(())
    })
    .unwrap();
    assert_eq!((max, total), (1000, 20_000));
    assert_eq!(ledger.rows_loaded(), 20_000);
}

/// A streaming load stops reading a file once its sink fails: the sink's error is what it
/// returns, and the rest of the file is neither parsed nor kept. Here the file is a gzip
/// stream whose tail is corrupt; reading on to it would have reported the corruption (and
/// kept every record read on the way) instead of the sink's error.
#[test]
fn a_failing_sink_stops_the_read() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("signins.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    // Poorly compressible records, so the corrupt tail lies far past the reader's buffers.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..8000u32 {
        let noise: String = (0..24)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("{x:016x}")
            })
            .collect();
        writeln!(
            enc,
            "{{\"id\":\"id-{i}\",\"createdDateTime\":\"2026-01-01T00:00:00Z\",\"userAgent\":\"{noise}\"}}"
        )
        .unwrap();
    }
    let mut file = enc.finish().unwrap();
    file.write_all(b"this is not a gzip member").unwrap();
    drop(file);
    assert!(std::fs::metadata(&gz).unwrap().len() > 1 << 20);

    // The sequential reader, which reads the file as it parses it.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut calls = 0;
    let res = pool.install(|| {
        signin::stream(
            std::slice::from_ref(&gz),
            &LoadOptions::default(),
            100,
            |_| {
                calls += 1;
                Err(std::io::Error::other("disk full"))
            },
        )
    });
    assert_eq!(calls, 1);
    match res {
        Err(signin::StreamError::Sink(e)) => assert_eq!(e.to_string(), "disk full"),
        Err(e) => panic!("expected the sink's error, got: {e}"),
        Ok(_) => panic!("expected the sink's error"),
    }
    // Read to the end, the file reports its corrupt tail.
    let whole = signin::load(std::slice::from_ref(&gz), &LoadOptions::default());
    assert!(whole.is_err(), "the tail is corrupt");
}
