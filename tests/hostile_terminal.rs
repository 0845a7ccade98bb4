//! Terminal hygiene (issue 19): values from logs and policies reach the terminal in
//! rejection examples (`logs inspect`, `logs convert`) and in `whatif` (policy names). A
//! value holding `\u001b[2J` (ESC: clear the screen) must not reach stdout raw; it is
//! shown as a space, as the report's terminal renderer already did.

mod common;
use common::{careplay, seed_copy};

const ESC: char = '\u{1b}';

/// A Graph JSON Lines file whose second record has a bad timestamp carrying ESC sequences
/// (rejected: its value is quoted in the example) and whose first record loads.
fn hostile_log(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("esc.jsonl");
    let good =
        r#"{"id":"e-1","createdDateTime":"2025-12-04T10:00:00Z","userId":"u1","appId":"a1"}"#;
    let bad = r#"{"id":"e-2","createdDateTime":"\u001b[2J\u001b]0;owned\u0007","userId":"u1"}"#;
    std::fs::write(&p, format!("{good}\n{bad}\n")).unwrap();
    p
}

#[test]
fn rejection_examples_escape_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let log = hostile_log(tmp.path());
    let log = log.to_str().unwrap();
    let r = careplay(&["logs", "inspect", log]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("rows: read 2, loaded 1, rejected 1, duplicates 0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("esc.jsonl:2: bad timestamp"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains(ESC) && !r.stdout.contains('\u{7}'),
        "{:?}",
        r.stdout
    );
    assert!(
        r.stdout.contains(" [2J"),
        "the text stays readable: {}",
        r.stdout
    );

    let out = tmp.path().join("out.parquet");
    let r = careplay(&["logs", "convert", log, "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("read 2, rejected 1, duplicates dropped 0"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("bad timestamp"), "{}", r.stdout);
    assert!(!r.stdout.contains(ESC), "{:?}", r.stdout);
}

#[test]
fn whatif_escapes_policy_names() {
    let (_tmp, dir) = seed_copy();
    let p = dir.join("policies/01-block-legacy-authentication.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let text = text.replacen(
        "\"displayName\": \"",
        "\"displayName\": \"\\u001b[2J\\u001b[31mEVIL ",
        1,
    );
    std::fs::write(&p, text).unwrap();
    let r = careplay(&[
        "whatif",
        dir.to_str().unwrap(),
        "--user",
        "gina@fabrikam.example",
        "--client-app",
        "exchangeActiveSync",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(" [2J [31mEVIL "), "{}", r.stdout);
    assert!(!r.stdout.contains(ESC), "{:?}", r.stdout);
}
