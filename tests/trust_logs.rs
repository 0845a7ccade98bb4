//! Issue 17, the sign-in log side: never a confident answer from broken or partial log
//! input. Through the real binary:
//! * file walking: each real file read once (symlink loops, a file named twice), named
//!   pipes skipped with a counted warning instead of hanging the run;
//! * detection and encodings: PowerShell `Export-Csv` refused by name, Graph PowerShell
//!   `ConvertTo-Json` read, UTF-16 with a BOM decoded for every text format (gzip'd too),
//!   UTF-16 without a BOM named in the error;
//! * a field that cannot be read (a redacted IP, an enum value from a newer Graph version)
//!   makes that fact Unknown with a counted warning; the row is loaded.
//!
//! Odd files (FIFOs, symlink loops, UTF-16 copies) are made on the fly in a tempdir.

mod common;

use common::root;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `careplay ARGS` from the crate root; fail (instead of hanging the suite) when it
/// does not end within `secs`.
fn careplay_within(secs: u64, args: &[&std::ffi::OsStr]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run careplay");
    let start = Instant::now();
    // Output is read on threads so a large report cannot block the child on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().ok();
            child.wait().ok();
            panic!("careplay {args:?} did not finish within {secs}s (hung)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
    }
}

fn os<'a>(args: &[&'a str]) -> Vec<&'a std::ffi::OsStr> {
    args.iter().map(|a| std::ffi::OsStr::new(*a)).collect()
}

fn careplay(args: &[&str]) -> Run {
    careplay_within(120, &os(args))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn json(r: &Run) -> serde_json::Value {
    assert_eq!(r.code, 0, "stderr: {}\nstdout: {}", r.stderr, r.stdout);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout))
}

/// (newly blocked, newly challenged, newly unknown, events replayed) of a JSON report.
fn answer(report: &serde_json::Value) -> (u64, u64, u64, u64) {
    let t = &report["totals"];
    let n = |k: &str| t[k]["events"].as_u64().unwrap();
    (
        n("newly_blocked"),
        n("newly_challenged"),
        n("newly_unknown"),
        n("all"),
    )
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .map(|s| s.success());
    assert_eq!(ok.ok(), Some(true), "mkfifo {}", path.display());
}

const SEED_ANSWER: (u64, u64, u64, u64) = (4, 5, 0, 380);

// ---------------------------------------------------------------------------------------
// 1. File walking

#[cfg(unix)]
#[test]
fn symlink_loop_inside_signins_reads_each_file_once() {
    // Before: every file was read 41 times (the loop followed until the path was too
    // long): 380 seed events became 1,466 and 4 newly blocked became 16.
    let (_d, t) = common::seed_copy();
    std::os::unix::fs::symlink(".", t.join("signins/loop")).unwrap();
    let r = careplay(&[
        "replay",
        s(&t),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]);
    let report = json(&r);
    assert_eq!(answer(&report), SEED_ANSWER);
    assert_eq!(report["input"]["files"].as_array().unwrap().len(), 3);
    assert_eq!(report["input"]["rows_read"], 380);
}

#[cfg(unix)]
#[test]
fn a_file_named_twice_or_through_a_symlink_is_read_once_under_its_first_name() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("a.jsonl");
    std::fs::copy(
        root().join("tests/fixtures/signin/graph_ndjson.jsonl"),
        &file,
    )
    .unwrap();
    let link = d.path().join("b-link.jsonl");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let r = careplay(&["logs", "inspect", s(&file), s(&link), s(&file), s(d.path())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "total: 1 file(s), rows read 3, loaded 2, rejected 0, duplicates dropped 1\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.starts_with(&format!("{}\n", file.display())),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("b-link"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_signins_is_skipped_with_a_counted_warning_not_opened() {
    // Before: the replay opened the FIFO and waited for a writer forever.
    let (_d, t) = common::seed_copy();
    let pipe = t.join("signins/live-feed.json");
    mkfifo(&pipe);
    let args = [
        "replay",
        s(&t),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ];
    let r = careplay_within(60, &os(&args));
    let report = json(&r);
    assert_eq!(answer(&report), SEED_ANSWER);
    let skipped = report["input"]["inputs_skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let msg = skipped[0].as_str().unwrap();
    assert!(
        msg.contains("live-feed.json") && msg.contains("named pipe"),
        "{msg}"
    );
    assert!(
        r.stderr.contains("warning:") && r.stderr.contains("live-feed.json: skipped, a named pipe"),
        "{}",
        r.stderr
    );

    // The terminal report's input accounting says it too.
    let r = careplay_within(60, &os(&args[..4]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("inputs skipped (not regular files)      1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Inputs skipped (not regular files, never opened)"),
        "{}",
        r.stdout
    );

    // So does `logs inspect`.
    let r = careplay_within(60, &os(&["logs", "inspect", s(&t.join("signins"))]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("live-feed.json: skipped, a named pipe"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("; 1 input(s) skipped (not regular files)"),
        "{}",
        r.stdout
    );
}

#[cfg(unix)]
#[test]
fn policy_folders_are_walked_the_same_way() {
    // A symlink loop in policies/ no longer multiplies the policies (each was parsed 41
    // times), and a FIFO there stops the run naming it instead of hanging it: policies
    // are configuration, so one that cannot be read is an error.
    let (_d, t) = common::seed_copy();
    std::os::unix::fs::symlink(".", t.join("policies/loop")).unwrap();
    let r = careplay(&["policies", "check", s(&t.join("policies"))]);
    assert!(
        r.stdout
            .contains("\n5 file(s), 5 policies parsed, 0 rejected"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    let report = json(&careplay(&[
        "replay",
        s(&t),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]));
    assert_eq!(answer(&report), SEED_ANSWER);
    assert_eq!(report["input"]["policies_loaded"], 5);

    let pipe = t.join("policies/20-new.json");
    mkfifo(&pipe);
    let r = careplay_within(60, &os(&["replay", s(&t), "--promote", "all-report-only"]));
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("20-new.json") && r.stderr.contains("named pipe"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------
// 2. Detection and encodings

fn fx(name: &str) -> String {
    format!("tests/fixtures/signin/{name}")
}

#[test]
fn powershell_export_csv_is_refused_by_name_with_what_to_do() {
    // PowerShell 7 Export-Csv (no #TYPE line): before, read as Log Analytics CSV with
    // country `MICROSOFT.GRAPH.POWERSHELL.MODELS.MICROSOFTGRAPHSIGNINLOCATION`, exit 0.
    // Windows PowerShell (#TYPE first line): before, "unknown sign-in log format".
    for f in ["trust/ps7_export_csv.csv", "trust/ps51_export_csv_type.csv"] {
        let path = fx(f);
        for cmd in [
            &["logs", "inspect", &path][..],
            &["logs", "convert", &path, "-o", "/dev/null"],
        ] {
            let r = careplay(cmd);
            assert_eq!(r.code, 2, "{f}: {}\n{}", r.stdout, r.stderr);
            assert!(r.stderr.contains(&path), "{}", r.stderr);
            assert!(
                r.stderr.contains("PowerShell Export-Csv")
                    && r.stderr.contains("ConvertTo-Json -Depth 10")
                    && r.stderr.contains("Entra admin center"),
                "{}",
                r.stderr
            );
            assert!(!r.stdout.contains("MICROSOFT.GRAPH"), "{}", r.stdout);
        }
    }
}

/// The canonical rows of `path` as NDJSON text, `source_file` left out (so copies of one
/// export in other encodings compare equal).
fn canonical(path: &str) -> Vec<serde_json::Value> {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.ndjson");
    let r = careplay(&["logs", "convert", path, "--to", "ndjson", "-o", s(&out)]);
    assert_eq!(r.code, 0, "{path}: {}", r.stderr);
    std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("source_file");
            v
        })
        .collect()
}

#[test]
fn graph_powershell_convertto_json_is_read_field_by_field() {
    // PascalCase keys, `IPAddress`, nested objects with `AdditionalProperties`.
    let rows = canonical(&fx("trust/ps7_convertto_json.json"));
    assert_eq!(rows.len(), 2);
    let a = &rows[0];
    assert_eq!(a["source_format"], "powershell-json");
    assert_eq!(a["event_id"], "c1f7e2a0-5b3d-4c8e-9f10-6a7b8c9d0e01");
    assert_eq!(a["created_at"], "2026-02-03T08:15:01Z");
    assert_eq!(a["event_type"], "interactiveUser");
    assert_eq!(a["user_upn"], "alice@woodgrove.example");
    assert_eq!(a["ip"], "198.51.100.23");
    assert_eq!(a["country"], "NO");
    assert_eq!(a["city"], "Oslo");
    assert_eq!(a["client_app_raw"], "Mobile Apps and Desktop clients");
    assert_eq!(a["device_is_compliant"], true);
    assert_eq!(a["device_trust_type"], "Azure AD joined");
    assert_eq!(a["mfa_satisfied"], true);
    assert_eq!(a["error_code"], 0);
    assert_eq!(a["ca_policies"][0]["result"], "success");
    assert_eq!(a["ca_policies"][0]["grant_controls"][0], "Mfa");
    let b = &rows[1];
    assert_eq!(b["ip"], "2001:db8:4::17");
    assert_eq!(b["error_code"], 53003);
    assert_eq!(b["user_type"], "guest");
    assert_eq!(b["sign_in_risk"], "low");
    assert_eq!(b["device_id"], "");
}

/// `text` in UTF-16 with a byte order mark.
fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = (if bom { "\u{feff}" } else { "" })
        .encode_utf16()
        .chain(text.encode_utf16());
    for u in units {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn utf16_with_a_bom_is_decoded_for_every_text_format_gzipped_too() {
    // Windows PowerShell 5.1 `Out-File` writes UTF-16 LE with a BOM by default. Before:
    // "unknown sign-in log format", no word about the encoding.
    let d = tempfile::tempdir().unwrap();
    let sources = [
        "graph_ndjson.jsonl",
        "graph_v1_page.json",
        "graph_beta_array.json",
        "eventhub.json",
        "la_noninteractive.json",
        "la_signinlogs.csv",
        "InteractiveSignIns_2025-12-04_2025-12-05.csv",
        "trust/ps7_convertto_json.json",
    ];
    let mut checked = 0;
    for src in sources {
        let text = std::fs::read_to_string(root().join(fx(src))).unwrap();
        // PowerShell writes CRLF line ends.
        let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        let expected = canonical(&fx(src));
        assert!(!expected.is_empty(), "{src}");
        for (be, label) in [(false, "le"), (true, "be")] {
            for gz in [false, true] {
                let name = Path::new(src).file_name().unwrap().to_str().unwrap();
                let path = d
                    .path()
                    .join(format!("{label}{}-{name}", if gz { "-gz" } else { "" }));
                let bytes = utf16(&text, be, true);
                std::fs::write(&path, if gz { gzip(&bytes) } else { bytes }).unwrap();
                let got = canonical(s(&path));
                // Line numbers can differ only if line ends did; they did not here
                // except for the CRLF conversion, which keeps line counts.
                assert_eq!(got, expected, "{src} as UTF-16 {label} gz={gz}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, sources.len() * 4);
}

#[test]
fn windows_powershell_5_out_file_of_convertto_json_is_read() {
    // `Get-MgBetaAuditLogSignIn | ConvertTo-Json -Depth 10 | Out-File signins.json` on
    // Windows PowerShell 5.1: UTF-16 LE with a BOM, CRLF, `\/Date(ms)\/` timestamps.
    let text = std::fs::read_to_string(root().join(fx("trust/ps7_convertto_json.json")))
        .unwrap()
        .replace(
            "\"CreatedDateTime\": \"2026-02-03T08:15:01Z\"",
            "\"CreatedDateTime\": \"\\/Date(1770106501000)\\/\"",
        )
        .replace('\n', "\r\n");
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("signins.json");
    std::fs::write(&path, utf16(&text, false, true)).unwrap();
    let rows = canonical(s(&path));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["created_at"], "2026-02-03T08:15:01Z");
    assert_eq!(rows[0]["country"], "NO");
    assert_eq!(rows[0]["source_format"], "powershell-json");
}

#[test]
fn utf16_without_a_bom_is_named_in_the_error() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(fx("graph_ndjson.jsonl"))).unwrap();
    for (be, order) in [(false, "little-endian"), (true, "big-endian")] {
        let path = d.path().join(format!("nobom-{order}.json"));
        std::fs::write(&path, utf16(&text, be, false)).unwrap();
        // Also with a forced format: read as UTF-8 every row would be garbage.
        for extra in [&[][..], &["--format", "graph"][..]] {
            let mut args = vec!["logs", "inspect", s(&path)];
            args.extend(extra);
            let r = careplay(&args);
            assert_eq!(r.code, 2, "{}", r.stdout);
            assert!(
                r.stderr.contains(&format!(
                    "{}: looks like UTF-16 ({order}) without a byte order mark; re-save as UTF-8",
                    path.display()
                )),
                "{}",
                r.stderr
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. A field that cannot be read: that fact Unknown, a counted warning, the row loaded

#[test]
fn unreadable_fields_load_the_row_and_count_a_warning_by_reason() {
    // Before: rows 1-3 (`[redacted]`, `xxx.xxx.xxx.xxx`) were rejected as "bad IP
    // address" and row 4 (`isCompliant: "perhaps"`) as "bad value"; the newer enum
    // values of row 4 were taken silently.
    let r = careplay(&["logs", "inspect", &fx("trust/unreadable_fields.jsonl")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.contains("  rows: read 5, loaded 5, rejected 0, duplicates 0\n"),
        "{out}"
    );
    for (field, n) in [
        ("ipAddress not an IP address", 3),
        ("deviceDetail.isCompliant not a boolean", 1),
        ("clientAppUsed not a known client app", 1),
        ("riskLevelDuringSignIn not a known risk level", 1),
        ("deviceDetail.trustType not a known join type", 1),
        ("userType not member or guest", 1),
        ("originalTransferMethod not a known transfer method", 1),
        (
            "conditionalAccessStatus not success, failure or notApplied",
            1,
        ),
    ] {
        assert!(
            out.contains(&format!(
                "  warning ({field}): {n} loaded row(s), that fact Unknown\n"
            )),
            "{field}: {out}"
        );
    }
    assert!(
        out.contains("unreadable_fields.jsonl:1: ipAddress not an IP address: `[redacted]`"),
        "{out}"
    );
    // `Unknown` is a documented clientAppUsed value (signin-logs.md §8.7), not a warning.
    assert!(!out.contains("`Unknown`"), "{out}");
    assert!(
        out.contains("total: 1 file(s), rows read 5, loaded 5, rejected 0, duplicates dropped 0; 10 unreadable field(s) on loaded rows (facts Unknown)\n"),
        "{out}"
    );
    assert!(
        out.contains("    ip                           60.0%\n"),
        "{out}"
    );

    // `logs convert` shows them where it shows rejected rows.
    let d = tempfile::tempdir().unwrap();
    let o = d.path().join("x.parquet");
    let r = careplay(&[
        "logs",
        "convert",
        &fx("trust/unreadable_fields.jsonl"),
        "-o",
        s(&o),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("wrote 5 canonical row(s)")
            && r.stdout
                .contains("warning (ipAddress not an IP address): 3"),
        "{}",
        r.stdout
    );
}

#[test]
fn warnings_are_counted_on_loaded_rows_only_and_the_ledger_stays_exact() {
    // The same three redacted rows in two files: one copy of each is a duplicate, so
    // 3 warnings (not 6), and read = loaded + rejected + duplicates.
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(fx("trust/unreadable_fields.jsonl"))).unwrap();
    let first3: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(d.path().join("a.jsonl"), &first3).unwrap();
    std::fs::write(d.path().join("b.jsonl"), &first3).unwrap();
    let r = careplay(&["logs", "inspect", s(d.path())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("total: 2 file(s), rows read 6, loaded 3, rejected 0, duplicates dropped 3; 3 unreadable field(s) on loaded rows (facts Unknown)\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn redacted_ips_make_network_conditions_unknown_in_the_replay() {
    // Every interactive seed sign-in with its IP redacted. Before: the 167 rows were
    // rejected and the rest replayed as if nothing were missing (0 newly anything). Now
    // they load, the trusted-network condition reads Unknown for them, and the report
    // says why.
    let (_d, t) = common::seed_copy();
    let f = t.join("signins/graph-beta-interactive.ndjson");
    let text = std::fs::read_to_string(&f).unwrap();
    let mut redacted = String::new();
    for line in text.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["ipAddress"] = "[redacted]".into();
        redacted.push_str(&v.to_string());
        redacted.push('\n');
    }
    std::fs::write(&f, redacted).unwrap();
    let report = json(&careplay(&[
        "replay",
        s(&t),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]));
    let input = &report["input"];
    assert_eq!(input["rows_loaded"], 380);
    assert_eq!(input["rows_rejected"], 0);
    assert_eq!(
        input["unreadable_by_reason"],
        serde_json::json!([["ipAddress not an IP address", 167]])
    );
    let (blocked, challenged, unknown, events) = answer(&report);
    assert_eq!(events, 380);
    // The 9 events that moved on the intact tenant cannot be decided without their IP.
    assert!(unknown >= 9, "newly unknown {unknown}");
    assert_eq!((blocked, challenged), (0, 0));

    // `verify` states the same accounting.
    let r = careplay(&["verify", s(&t)]);
    assert!(
        r.stdout
            .contains("input: 380 rows read, 380 loaded, 0 rejected")
            && r.stdout.contains(
                "input: ipAddress not an IP address: 167 loaded row(s), that fact Unknown"
            ),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn an_enum_value_from_a_newer_graph_version_reads_unknown_never_no() {
    // A sign-in risk policy promoted to On; one sign-in logs a risk level careplay does
    // not know (`severe`). Before: the value was dropped silently and the condition read
    // "no risk" for... nothing: it already was Unknown, but without a word. The outcome
    // must be Unknown (not allowed) and the warning counted.
    let (_d, t) = common::seed_copy();
    for e in std::fs::read_dir(t.join("policies")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::write(
        t.join("policies/risk.json"),
        r#"{"id":"9a9a9a9a-0000-4000-8000-000000000001","displayName":"Block high sign-in risk","state":"enabledForReportingButNotEnforced",
"conditions":{"clientAppTypes":["all"],"signInRiskLevels":["high"],"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},
"grantControls":{"operator":"OR","builtInControls":["block"]}}"#,
    )
    .unwrap();
    for e in std::fs::read_dir(t.join("signins")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let text = std::fs::read_to_string(root().join(fx("trust/unreadable_fields.jsonl"))).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    // Row 5 (risk `none`) and row 4 (risk `severe`).
    std::fs::write(
        t.join("signins/s.jsonl"),
        format!("{}\n{}\n", rows[4], rows[3]),
    )
    .unwrap();
    let report = json(&careplay(&[
        "replay",
        s(&t),
        "--promote",
        "all-report-only",
        "--format",
        "json",
    ]));
    let (blocked, _, unknown, events) = answer(&report);
    assert_eq!(
        (blocked, unknown, events),
        (0, 1, 2),
        "{}",
        report["totals"]
    );
    let reasons = report["input"]["unreadable_by_reason"].to_string();
    assert!(
        reasons.contains("[\"riskLevelDuringSignIn not a known risk level\",1]"),
        "{reasons}"
    );
}
