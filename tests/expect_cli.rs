//! `careplay test`: regression expectations through the real binary, on the seed tenant.

mod common;

use std::path::Path;

use common::{careplay, golden, root, seed_copy};
use serde_json::Value;

const SEED: &str = "datasets/seed-registration";
const SEED_EXPECT: &str = "datasets/seed-registration/expectations.yaml";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn seed_expectations_hold_for_the_promoted_candidate() {
    let r = careplay(&[
        "test",
        SEED,
        "--promote",
        "all-report-only",
        "--expect",
        SEED_EXPECT,
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("9 passed, 0 failed (9 expectations)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(
        "PASS  guests registering security info off trusted networks are blocked (3 logged events, 1 hypothetical sign-in)"
    ));
    assert!(r
        .stdout
        .contains("PASS  every event is decided (380 logged events)"));
    assert!(!r.stdout.contains("FAIL"));
}

#[test]
fn contoso_expectations_hold_for_the_promoted_candidate() {
    common::ensure_contoso_logs();
    let r = careplay(&[
        "test",
        "datasets/contoso",
        "--promote",
        "all-report-only",
        "--assume-user-risk",
        "none",
        "--expect",
        "datasets/contoso/expectations.yaml",
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("5 passed, 0 failed (5 expectations)"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("PASS  sign-ins from blocked countries are blocked (442 logged events)"));
}

#[test]
fn the_baseline_breaks_the_registration_expectations() {
    // Without the promotion the report-only policies block and challenge nothing: the
    // expectations about them must fail, naming the events.
    let r = careplay(&["test", SEED, "--expect", SEED_EXPECT, "--quiet"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("7 passed, 2 failed (9 expectations)"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("FAIL  guests registering security info off trusted networks are blocked"));
    assert!(r.stdout.contains("4 of 4 events broke expect: blocked"));
    assert!(r
        .stdout
        .contains("ab016ce0-82ad-4ba8-809d-994daaf44add  user gina@fabrikam.example"));
    assert!(
        r.stderr.contains("2 of 9 expectations failed"),
        "{}",
        r.stderr
    );
}

/// A policy that blocks registration for everyone, break-glass accounts included.
fn lockout_run(extra: &[&str]) -> common::Run {
    let mut args = vec![
        "test",
        SEED,
        "--promote",
        "all-report-only",
        "--add",
        "tests/fixtures/expect/block-registration-for-all.json",
        "--expect",
        SEED_EXPECT,
        "--quiet",
    ];
    args.extend_from_slice(extra);
    careplay(&args)
}

#[test]
fn a_policy_that_locks_out_break_glass_fails_with_the_events_named() {
    let r = lockout_run(&[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let block: Vec<&str> = r
        .stdout
        .split("\nPASS  ")
        .flat_map(|s| s.split("\nFAIL  "))
        .collect();
    let bg = block
        .iter()
        .find(|b| b.starts_with("break-glass accounts are never blocked"))
        .expect("break-glass result");
    assert!(
        bg.contains("3 of 5 events broke expect: never_blocked"),
        "{bg}"
    );
    // Both logged registrations of the break-glass accounts, and the hypothetical one.
    assert!(bg.contains(
        "2ee81f0c-3dde-4755-8452-b98a540f7e49  user breakglass1@woodgrove.onmicrosoft.example"
    ));
    assert!(bg.contains(
        "31cb2b64-9a9e-405f-9da5-3e16d34b9720  user breakglass2@woodgrove.onmicrosoft.example"
    ));
    assert!(bg.contains("whatif breakglass1 registers security info off-network with a password"));
    assert!(bg.contains("blocked by policy 'Block security info registration for everyone'"));
    assert!(r
        .stdout
        .contains("FAIL  members registering security info from a trusted location are allowed"));
}

#[test]
fn junit_is_read_back_by_an_xml_parser() {
    use quick_xml::events::Event;
    let tmp = tempfile::tempdir().unwrap();
    let junit = tmp.path().join("results.xml");
    let r = lockout_run(&["--junit", junit.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let attr = |e: &quick_xml::events::BytesStart, k: &str| -> Option<String> {
        e.attributes()
            .map(|a| a.unwrap())
            .find(|a| a.key.as_ref() == k.as_bytes())
            .map(|a| a.unescape_value().unwrap().into_owned())
    };
    let mut suite: Option<(String, String)> = None;
    // (test case name, failure message, failure body)
    let mut cases: Vec<(String, Option<String>, String)> = Vec::new();
    let mut in_failure = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                suite = Some((attr(&e, "tests").unwrap(), attr(&e, "failures").unwrap()));
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                cases.push((attr(&e, "name").unwrap(), None, String::new()));
            }
            Event::Start(e) if e.name().as_ref() == b"failure" => {
                in_failure = true;
                cases.last_mut().unwrap().1 = attr(&e, "message");
            }
            Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
            Event::Text(t) if in_failure => {
                cases.last_mut().unwrap().2.push_str(&t.decode().unwrap());
            }
            Event::GeneralRef(r) if in_failure => {
                let s = match r.as_ref() {
                    b"amp" => "&",
                    b"lt" => "<",
                    b"gt" => ">",
                    b"quot" => "\"",
                    b"apos" => "'",
                    other => panic!("unexpected entity {other:?}"),
                };
                cases.last_mut().unwrap().2.push_str(s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let failed: Vec<&(String, Option<String>, String)> =
        cases.iter().filter(|c| c.1.is_some()).collect();
    assert_eq!(suite, Some(("9".to_string(), failed.len().to_string())));
    assert_eq!(cases.len(), 9);
    assert_eq!(cases[0].0, "break-glass accounts are never blocked");
    assert_eq!(cases[8].0, "every event is decided");
    let bg = &cases[0];
    assert_eq!(
        bg.1.as_deref(),
        Some("3 of 5 events broke expect: never_blocked")
    );
    assert!(bg.2.contains("2ee81f0c-3dde-4755-8452-b98a540f7e49: blocked by policy 'Block security info registration for everyone'"), "{}", bg.2);
    assert!(
        bg.2.contains("reason: Emergency access accounts"),
        "{}",
        bg.2
    );
    // The passing expectations have no failure element.
    assert!(cases
        .iter()
        .any(|c| c.0 == "legacy authentication stays blocked" && c.1.is_none()));
}

#[test]
fn markdown_summary_golden() {
    let r = lockout_run(&["--format", "markdown"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("tests/fixtures/expect/lockout.md", &r.stdout);
}

#[test]
fn a_selector_matching_nothing_fails_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "e.yaml",
        "expectations:\n  - name: gone\n    reason: the dataset lost these events\n    select: {user: nobody@woodgrove.example}\n    expect: allowed\n  - name: may be empty\n    reason: optional\n    select: {user: nobody@woodgrove.example}\n    expect: allowed\n    allow_empty: true\n",
    );
    let r = careplay(&["test", SEED, "--expect", &f, "--quiet"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAIL  gone (0 logged events)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("the selector matched no logged event"));
    assert!(r.stdout.contains("PASS  may be empty (0 logged events)"));
}

#[test]
fn an_unknown_outcome_fails_with_unknown_as_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "e.yaml",
        "expectations:\n  - name: alice is never blocked\n    reason: r\n    select: {user: alice@woodgrove.example}\n    expect: never_blocked\n",
    );
    let r = careplay(&[
        "test",
        SEED,
        "--add",
        "tests/fixtures/expect/block-unknown-group.json",
        "--expect",
        &f,
        "--quiet",
    ]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAIL  alice is never blocked"),
        "{}",
        r.stdout
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("- ") && l.contains("alice@woodgrove.example"))
        .expect("a failing event");
    assert!(line.contains(": unknown: "), "{line}");
}

#[test]
fn a_bad_expectations_file_exits_2_naming_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "expectations:\n  - name: a\n    reason: r\n    select: {}\n    expect: blockd\n",
            "$.expectations[0].expect: unknown variant `blockd`",
        ),
        (
            "expectations:\n  - name: a\n    reason: r\n    select: {usr: x}\n    expect: blocked\n",
            "$.expectations[0].select.usr: unknown field `usr`",
        ),
        (
            "expectations:\n  - name: a\n    reason: r\n    select: {group: g-nonexistent}\n    expect: blocked\n",
            "$.expectations[0].select.group[0]: group `g-nonexistent` is not in the directory snapshot",
        ),
        (
            "expectations:\n  - name: a\n    reason: r\n    select: {location: Atlantis}\n    expect: blocked\n",
            "$.expectations[0].select.location[0]: named location `Atlantis`",
        ),
        (
            "expectations:\n  - name: a\n    reason: r\n    whatif: [{user: alice@woodgrove.example, ipp: 1.2.3.4}]\n    expect: blocked\n",
            "$.expectations[0].whatif[0]: `ipp` is not a `careplay whatif` flag",
        ),
        (
            "expectations:\n  - name: a\n    reason: r\n    whatif: [{user: alice@woodgrove.example, ip: not-an-ip}]\n    expect: blocked\n",
            "$.expectations[0].whatif[0]: invalid value 'not-an-ip' for '--ip <IP>'",
        ),
        (
            "expectations:\n  - name: a\n    reason: r\n    select: {}\n    expect: blocked\n    for: mfa\n",
            "$.expectations[0].for: `for` applies to `expect: challenged` only",
        ),
        ("expectations: [\n", "e.yaml:2: not valid YAML"),
        ("expectations: []\n", "$.expectations: no expectation"),
    ];
    for (text, want) in cases {
        let f = write(tmp.path(), "e.yaml", text);
        let r = careplay(&["test", SEED, "--expect", &f, "--quiet"]);
        assert_eq!(r.code, 2, "{text}\n{}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "[expectations] {}",
                tmp.path().join("e.yaml").display()
            )),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(want),
            "{text}\nwanted {want}\ngot {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}

#[test]
fn json_expectations_and_json_results() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "e.json",
        r#"{"expectations": [{"name": "legacy blocked", "reason": "r", "select": {"client_app": ["other", "exchangeActiveSync"]}, "expect": "blocked"}]}"#,
    );
    let r = careplay(&["test", SEED, "--expect", &f, "--format", "json", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["results"][0]["name"], "legacy blocked");
    assert_eq!(v["results"][0]["selected"], 5);
    assert_eq!(v["results"][0]["failed"], 0);
}

#[test]
fn control_characters_from_the_data_are_escaped_on_the_terminal() {
    let (_tmp, dir) = seed_copy();
    // A display name with an escape sequence and a forged line, in a policy the run adds.
    let policy = std::fs::read_to_string(
        root().join("tests/fixtures/expect/block-registration-for-all.json"),
    )
    .unwrap()
    .replace(
        "Block security info registration for everyone",
        "Evil\\u001b[2J\\nPASS  forged",
    );
    let p = write(&dir, "evil.json", &policy);
    let r = careplay(&[
        "test",
        dir.to_str().unwrap(),
        "--promote",
        "all-report-only",
        "--add",
        &p,
        "--expect",
        SEED_EXPECT,
        "--quiet",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}'));
    assert!(
        r.stdout.contains("Evil\\u{1b}[2J\\nPASS  forged"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.lines().any(|l| l.starts_with("PASS  forged")));
}

// ---------------------------------------------------------------------------------------
// The JSON Schema: the shipped files validate, and the loader rejects what it rejects.

/// A validator for the part of JSON Schema (2020-12) the expectations schema uses.
fn valid(schema: &Value, root: &Value, v: &Value) -> bool {
    let s = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").expect("local $ref");
            let target = &root["$defs"][name];
            // Sibling keywords of $ref are evaluated too.
            if !valid(target, root, v) {
                return false;
            }
            schema
        }
        None => schema,
    };
    let Some(obj) = s.as_object() else {
        return true;
    };
    for (k, kw) in obj {
        let ok = match k.as_str() {
            "type" => {
                let types: Vec<&str> = match kw {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => panic!("type"),
                };
                types.iter().any(|t| match *t {
                    "object" => v.is_object(),
                    "array" => v.is_array(),
                    "string" => v.is_string(),
                    "number" => v.is_number(),
                    "boolean" => v.is_boolean(),
                    other => panic!("type {other}"),
                })
            }
            "enum" => kw.as_array().unwrap().contains(v),
            "const" => kw == v,
            "minLength" => v
                .as_str()
                .is_none_or(|s| s.chars().count() as u64 >= kw.as_u64().unwrap()),
            "minItems" => v
                .as_array()
                .is_none_or(|a| a.len() as u64 >= kw.as_u64().unwrap()),
            "pattern" => v
                .as_str()
                .is_none_or(|s| regex::Regex::new(kw.as_str().unwrap()).unwrap().is_match(s)),
            "required" => v.as_object().is_none_or(|o| {
                kw.as_array()
                    .unwrap()
                    .iter()
                    .all(|r| o.contains_key(r.as_str().unwrap()))
            }),
            "properties" => v.as_object().is_none_or(|o| {
                kw.as_object()
                    .unwrap()
                    .iter()
                    .all(|(p, ps)| o.get(p).is_none_or(|x| valid(ps, root, x)))
            }),
            "additionalProperties" => v.as_object().is_none_or(|o| {
                let props = obj.get("properties").and_then(Value::as_object);
                o.iter()
                    .filter(|(p, _)| props.is_none_or(|ps| !ps.contains_key(*p)))
                    .all(|(_, x)| match kw {
                        Value::Bool(b) => *b,
                        sub => valid(sub, root, x),
                    })
            }),
            "propertyNames" => v
                .as_object()
                .is_none_or(|o| o.keys().all(|p| valid(kw, root, &Value::String(p.clone())))),
            "items" => v
                .as_array()
                .is_none_or(|a| a.iter().all(|x| valid(kw, root, x))),
            "oneOf" => {
                kw.as_array()
                    .unwrap()
                    .iter()
                    .filter(|sub| valid(sub, root, v))
                    .count()
                    == 1
            }
            "anyOf" => kw.as_array().unwrap().iter().any(|sub| valid(sub, root, v)),
            "not" => !valid(kw, root, v),
            "if" => {
                let then = obj.get("then").expect("then");
                !valid(kw, root, v) || valid(then, root, v)
            }
            "then" | "$ref" | "$schema" | "$id" | "$defs" | "title" | "description" | "default" => {
                true
            }
            other => panic!("keyword {other} not handled by the test's validator"),
        };
        if !ok {
            return false;
        }
    }
    true
}

fn schema() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/expectations.schema.json")).unwrap(),
    )
    .unwrap()
}

fn yaml(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn shipped_expectation_files_validate_against_the_schema() {
    let s = schema();
    let mut n = 0;
    for f in glob::glob(
        &root()
            .join("datasets/*/expectations.*")
            .display()
            .to_string(),
    )
    .unwrap()
    {
        let f = f.unwrap();
        assert!(
            valid(&s, &s, &yaml(&f)),
            "{} does not validate",
            f.display()
        );
        n += 1;
    }
    assert!(n >= 1);
}

#[test]
fn the_loader_rejects_what_the_schema_rejects() {
    let s = schema();
    let base = r#"{"name": "n", "reason": "r", "select": {"user": "alice@woodgrove.example"}, "expect": "allowed"}"#;
    let with = |patch: &str| -> Value {
        let mut e: Value = serde_json::from_str(base).unwrap();
        let p: Value = serde_json::from_str(patch).unwrap();
        for (k, v) in p.as_object().unwrap() {
            if v.is_null() {
                e.as_object_mut().unwrap().remove(k);
            } else {
                e[k] = v.clone();
            }
        }
        serde_json::json!({"expectations": [e]})
    };
    // (document, whether the schema accepts it)
    let mut samples = vec![
        (with("{}"), true),
        (with(r#"{"select": {}}"#), true),
        (
            with(
                r#"{"expect": "challenged", "for": ["mfa", "authenticationStrength:Phishing-resistant MFA"]}"#,
            ),
            true,
        ),
        (
            with(
                r#"{"select": {"user_type": ["member", "guest"], "trusted_location": false, "user_action": "registersecurityinfo", "client_app": "browser", "event_type": "interactiveUser"}}"#,
            ),
            true,
        ),
        (
            with(
                r#"{"select": null, "whatif": [{"user": "alice@woodgrove.example", "methods": ["password", "push"], "audiences_logged": true}]}"#,
            ),
            true,
        ),
        (with(r#"{"allow_empty": true}"#), true),
        (
            serde_json::json!({"version": 1, "expectations": [serde_json::from_str::<Value>(base).unwrap()]}),
            true,
        ),
        (with(r#"{"expect": "blockd"}"#), false),
        (with(r#"{"expect": "blocked", "for": "mfa"}"#), false),
        (with(r#"{"expect": "challenged", "for": "sms"}"#), false),
        (with(r#"{"select": {"user_type": "admin"}}"#), false),
        (with(r#"{"select": {"client_app": "legacy"}}"#), false),
        (with(r#"{"select": {"trusted_location": "yes"}}"#), false),
        (with(r#"{"select": {"usr": "x"}}"#), false),
        (with(r#"{"select": {"user": 42}}"#), false),
        (with(r#"{"colour": "red"}"#), false),
        (with(r#"{"allow_empty": "yes"}"#), false),
        (with(r#"{"select": null}"#), false),
        (with(r#"{"select": null, "whatif": []}"#), false),
        (
            with(r#"{"select": null, "whatif": [{"user": {"id": "x"}}]}"#),
            false,
        ),
        (
            with(
                r#"{"select": null, "whatif": [{"user": "alice@woodgrove.example", "policies": "x"}]}"#,
            ),
            false,
        ),
        (with(r#"{"name": ""}"#), false),
        (with(r#"{"reason": null}"#), false),
        (with(r#"{"expect": null}"#), false),
        (serde_json::json!({"expectations": []}), false),
        (
            serde_json::json!({"version": 2, "expectations": [serde_json::from_str::<Value>(base).unwrap()]}),
            false,
        ),
        (serde_json::json!({"expectation": []}), false),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (i, (doc, accepted)) in samples.drain(..).enumerate() {
        assert_eq!(valid(&s, &s, &doc), accepted, "schema on sample {i}: {doc}");
        let f = write(tmp.path(), &format!("s{i}.json"), &doc.to_string());
        let r = careplay(&["test", SEED, "--expect", &f, "--quiet"]);
        if accepted {
            assert_ne!(
                r.code, 2,
                "loader refused sample {i} the schema accepts: {doc}\n{}",
                r.stderr
            );
        } else {
            assert_eq!(
                r.code, 2,
                "loader accepted sample {i} the schema rejects: {doc}\n{}",
                r.stdout
            );
            assert!(r.stderr.contains("[expectations]"), "{}", r.stderr);
        }
    }
}
