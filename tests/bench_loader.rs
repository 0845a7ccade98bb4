//! Every way of loading sign-ins agrees with the slowest one, in one table
//! (tests/common/twins.rs). The reference reads through read(2), one text at a time on a
//! 1-thread pool, every field materialised. The twins: the parallel JSON reader on two
//! threads, mapping big files chunk by chunk, its read(2) and 1-thread variants, and the
//! replay's projection (`LoadOptions::for_replay`), whose JSON readers skip the fields a
//! replay never reads (`signin::REPLAY_SKIPS`): it gives the reference with those fields
//! cleared (`clear_replay_skipped`) and the same engine facts (CSV readers read whole rows:
//! there it gives the reference). Same records in the same order, same file of origin, same
//! ledger (rejections, warnings, line numbers), or the same error. Inputs: every sign-in
//! fixture (malformed ones included) alone and all together, the seed's exports, and a
//! generated file bigger than one parse block and one 8 MiB map chunk, intact and broken.

mod common;

use std::path::{Path, PathBuf};

use careplay::signin::{self, LoadOptions, Loaded};
use common::root;
use common::twins::{assert_agree, ensure, same, same_items, Twin};

/// A load, or the error that stopped it (a file in no known format).
type Load = Result<Loaded, String>;

/// One input: its paths and what the reference's load must show for it to mean something.
type Case = (Vec<PathBuf>, fn(&[PathBuf], &Load) -> Result<(), String>);

fn load(threads: usize, opts: LoadOptions) -> impl Fn(&Case) -> Load {
    move |(paths, _)| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
        let pool = pool.build().expect("pool");
        pool.install(|| signin::load(paths, &opts))
            .map_err(|e| e.to_string())
    }
}

fn full(threads: usize, no_mmap: bool) -> impl Fn(&Case) -> Load {
    load(
        threads,
        LoadOptions {
            no_mmap,
            ..LoadOptions::default()
        },
    )
}

/// The projection's expected load: the reference with the skipped fields cleared in the
/// records a JSON reader read, and no warning about them (an unread field cannot be
/// unreadable).
fn cleared(_: &Case, reference: &Load) -> Load {
    let mut out = reference.clone()?;
    for f in out
        .ledger
        .files
        .iter_mut()
        .filter(|f| !f.path.ends_with(".csv"))
    {
        f.unreadable.retain(|k, _| !k.replay_skips());
    }
    for (r, file) in out.records.iter_mut().zip(&out.file_of) {
        if !out.ledger.files[*file].path.ends_with(".csv") {
            r.clear_replay_skipped();
        }
    }
    Ok(out)
}

fn same_facts(_: &Case, reference: &Load, got: &Load) -> Result<(), String> {
    let facts = |l: &Load| {
        l.iter()
            .flat_map(|l| l.records.iter().map(signin::to_facts))
            .collect::<Vec<_>>()
    };
    same_items("record's facts", &facts(reference), &facts(got))
}

fn compare(expected: &Load, got: &Load) -> Result<(), String> {
    let (Ok(e), Ok(g)) = (expected, got) else {
        return same("load result", &expected.as_ref().err(), &got.as_ref().err());
    };
    same_items("record", &e.records, &g.records)?;
    same("file of origin", &e.file_of, &g.file_of)?;
    same("ledger", &e.ledger, &g.ledger)
}

fn rows_read(l: &Loaded) -> u64 {
    l.ledger.files.iter().map(|f| f.rows_read).sum()
}

/// A fixture either loads rows or is refused naming the file.
fn rows_or_named(paths: &[PathBuf], l: &Load) -> Result<(), String> {
    let file = paths[0].display().to_string();
    match l {
        Ok(l) => ensure(rows_read(l) > 0, "no rows read"),
        Err(e) => ensure(
            e.contains(&file),
            format!("the error does not name {file}: {e}"),
        ),
    }
}

/// The projection comparison means something only if the full load read logged policies.
fn logged_policies(_: &[PathBuf], l: &Load) -> Result<(), String> {
    let with = l
        .as_ref()?
        .records
        .iter()
        .filter(|r| r.ca_policies.is_some());
    ensure(with.count() > 0, "no record with logged policies")
}

/// More than one parse block of the parallel reader and one 8 MiB chunk, the size from
/// which a file is mapped.
fn big(paths: &[PathBuf], l: &Load) -> Result<(), String> {
    let l = l.as_ref()?;
    let size = std::fs::metadata(&paths[0]).map_or(0, |m| m.len());
    let n = (rows_read(l), l.records.len());
    ensure(
        n == (3000, 3000) && size > 8 << 20,
        format!("{n:?} rows, {size} bytes"),
    )
}

fn broken_twice(_: &[PathBuf], l: &Load) -> Result<(), String> {
    let f = &l.as_ref()?.ledger.files[0];
    let n = (f.rows_read, f.rows_rejected, f.rows_loaded);
    ensure(n == (3001, 2, 2999), format!("{f:?}"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("fixture folder") {
        let p = e.expect("entry").path();
        if p.is_dir() && !p.ends_with("diag_tree") {
            files_under(&p, out);
        } else {
            out.push(p); // the diagnostic-settings tree is one input, as it is exported
        }
    }
}

/// The generated perf file with a garbage line in the middle and a truncated last line.
fn broken_copy(perf: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(perf).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(1500, "this is not json");
    let last = lines.pop().expect("lines");
    lines.push(&last[..last.len() / 2]);
    std::fs::write(dir.join("broken.ndjson"), lines.join("\n")).expect("write");
    dir.join("broken.ndjson")
}

#[test]
fn every_load_path_agrees_with_the_sequential_full_load_on_every_input() {
    let mut files = Vec::new();
    files_under(&root().join("tests/fixtures/signin"), &mut files);
    files.sort();
    assert!(files.len() >= 15, "{} fixtures", files.len());
    let name = |p: &Path| p.strip_prefix(root()).unwrap_or(p).display().to_string();
    let mut inputs: Vec<(String, Case)> = (files.iter())
        .map(|f| (name(f), (vec![f.clone()], rows_or_named as _)))
        .collect();
    // Together, the fixtures a load accepts (one refused file stops a load).
    let ok = |f: &&PathBuf| signin::load(&[f.to_path_buf()], &LoadOptions::default()).is_ok();
    let loadable: Vec<PathBuf> = files.iter().filter(ok).cloned().collect();
    let seed = vec![root().join("datasets/seed-registration/signins")];
    let perf = common::perf_file(3000);
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = vec![broken_copy(&perf, dir.path())];
    inputs.extend::<[(String, Case); 4]>([
        (
            format!("{} fixtures in one load", loadable.len()),
            (loadable, logged_policies as _),
        ),
        ("the seed exports".into(), (seed, logged_policies)),
        ("3000 generated sign-ins".into(), (vec![perf], big)),
        (
            "the generated file, broken twice".into(),
            (broken, broken_twice),
        ),
    ]);

    let reference = Twin::new("read(2), 1 thread, every field", full(1, true))
        .also(|(paths, exercises): &Case, r, _| exercises(paths, r));
    let projected = |threads| load(threads, LoadOptions::for_replay(None, false));
    let twins = [
        Twin::new("parallel reader, mapped", full(2, false)),
        Twin::new("parallel reader, read(2)", full(2, true)),
        Twin::new("1 thread, mapped", full(1, false)),
        Twin::new("replay projection", projected(2))
            .expect(cleared)
            .also(same_facts),
        Twin::new("replay projection, 1 thread", projected(1))
            .expect(cleared)
            .also(same_facts),
    ];
    assert_agree(&inputs, &reference, &twins, compare);
}

/// The one place the projection must differ from the full load: a row whose only fault is
/// in a skipped field is loaded, not rejected.
#[test]
fn a_malformed_skipped_field_rejects_the_row_only_when_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad_cap.jsonl");
    let row = |id: &str, extra: &str| {
        format!(
            r#"{{"id":"{id}","createdDateTime":"2026-01-01T00:00:00Z","userId":"u1","appId":"x","isInteractive":true,{extra}}}"#
        )
    };
    let rows = [
        row("a", r#""appliedConditionalAccessPolicies":"oops""#),
        row("b", r#""appliedConditionalAccessPolicies":[]"#),
        row("c", r#""networkLocationDetails":"[not json""#),
    ];
    std::fs::write(&path, rows.join("\n") + "\n").expect("write");
    let case: Case = (vec![path], |_, _| Ok(()));
    let full = full(2, false)(&case).expect("full load");
    let f = &full.ledger.files[0];
    assert_eq!((full.records.len(), f.rows_rejected), (1, 2));
    let proj = load(2, LoadOptions::for_replay(None, false))(&case).expect("projected load");
    assert_eq!(
        (proj.records.len(), proj.ledger.files[0].rows_rejected),
        (3, 0)
    );
}
