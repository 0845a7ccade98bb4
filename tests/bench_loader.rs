//! Every way of loading sign-ins agrees with the slowest one, through one table
//! (tests/common/twins.rs). The reference reads every file through read(2), one text at a
//! time on a 1-thread pool, every field materialised. The twins: the parallel JSON reader
//! on two threads, mapping big files chunk by chunk (and its read(2) and 1-thread
//! variants), and the replay's projection (`LoadOptions::for_replay`), which skips the
//! fields a replay never reads (`signin::REPLAY_SKIPS`) in the JSON readers: it must give
//! the reference with those fields cleared (`clear_replay_skipped`) and the same engine
//! facts; the CSV readers parse whole rows, so there it gives the reference unchanged.
//! Each must give the same records in the same order, the same file of origin and the
//! same ledger (rejections, warnings, line numbers). Inputs: every sign-in fixture
//! (malformed ones included) alone and all together, the seed tenant's exports, and a
//! generated perf file bigger than one parse block and one 8 MiB map chunk, intact and
//! with a garbage and a truncated line.

mod common;

use std::path::{Path, PathBuf};

use careplay::signin::{self, LoadOptions, Loaded};
use common::root;
use common::twins::{assert_agree, same, same_items, Twin};

/// One load input and what the reference's load must show for it to mean something.
struct Case {
    paths: Vec<PathBuf>,
    exercises: Box<dyn Fn(&Load) -> Result<(), String>>,
}

/// A load, or the error that stopped it (a file in no known format), which every path
/// must give alike.
type Load = Result<Loaded, String>;

fn load_with(threads: usize, paths: &[PathBuf], opts: &LoadOptions) -> Load {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
        .install(|| signin::load(paths, opts))
        .map_err(|e| e.to_string())
}

fn full(threads: usize, no_mmap: bool) -> impl Fn(&Case) -> Load {
    move |c| {
        let opts = LoadOptions {
            no_mmap,
            ..LoadOptions::default()
        };
        load_with(threads, &c.paths, &opts)
    }
}

fn projected(threads: usize) -> impl Fn(&Case) -> Load {
    move |c| load_with(threads, &c.paths, &LoadOptions::for_replay(None, false))
}

/// The projection's expected load: the reference with the skipped fields cleared in
/// records read by a JSON reader (CSV readers read whole rows).
fn cleared(_: &Case, reference: &Load) -> Load {
    let Ok(reference) = reference else {
        return reference.clone();
    };
    let mut out = reference.clone();
    for (r, file) in out.records.iter_mut().zip(&reference.file_of) {
        if !reference.ledger.files[*file].path.ends_with(".csv") {
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
    match (expected, got) {
        (Ok(e), Ok(g)) => {
            same_items("record", &e.records, &g.records)?;
            same("file of origin", &e.file_of, &g.file_of)?;
            same("ledger", &e.ledger, &g.ledger)
        }
        _ => same("load result", &expected.as_ref().err(), &got.as_ref().err()),
    }
}

fn rows_read(l: &Loaded) -> u64 {
    l.ledger.files.iter().map(|f| f.rows_read).sum()
}

/// A fixture either loads rows or is refused naming the file.
fn some_rows_or_named(c: &Case) -> impl Fn(&Load) -> Result<(), String> {
    let file = c.paths[0].display().to_string();
    move |l| match l {
        Ok(l) if rows_read(l) > 0 => Ok(()),
        Ok(_) => Err("no rows read".into()),
        Err(e) if e.contains(&file) => Ok(()),
        Err(e) => Err(format!("the error does not name {file}: {e}")),
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("fixture folder") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The generated perf file with a garbage line in the middle and a truncated last line.
fn broken_copy(perf: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(perf).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(1500, "this is not json");
    let last = lines.len() - 1;
    let cut = &lines[last][..lines[last].len() / 2];
    lines[last] = cut;
    let broken = dir.join("broken.ndjson");
    std::fs::write(&broken, lines.join("\n")).expect("write");
    broken
}

#[test]
fn every_load_path_agrees_with_the_sequential_full_load_on_every_input() {
    let fixtures = root().join("tests/fixtures/signin");
    let mut files = Vec::new();
    files_under(&fixtures, &mut files);
    files.sort();
    // The diagnostic-settings tree is one input, as it is exported.
    files.retain(|f| !f.starts_with(fixtures.join("diag_tree")));
    files.push(fixtures.join("diag_tree"));
    assert!(files.len() >= 15, "{} fixtures", files.len());
    let name = |p: &Path| p.strip_prefix(root()).unwrap_or(p).display().to_string();
    let mut inputs: Vec<(String, Case)> = files
        .iter()
        .map(|f| {
            let mut case = Case {
                paths: vec![f.clone()],
                exercises: Box::new(|_| Ok(())),
            };
            case.exercises = Box::new(some_rows_or_named(&case));
            (name(f), case)
        })
        .collect();
    // Together: the fixtures a load accepts (one refused file stops a load).
    let loadable: Vec<PathBuf> = files
        .iter()
        .filter(|f| signin::load(&[f.to_path_buf()], &LoadOptions::default()).is_ok())
        .cloned()
        .collect();
    inputs.push((
        format!("{} loadable fixtures in one load", loadable.len()),
        Case {
            paths: loadable,
            exercises: Box::new(|l| {
                let l = l.as_ref()?;
                // The projection comparison means something only if the full load did
                // read logged policies.
                l.records
                    .iter()
                    .any(|r| r.ca_policies.is_some())
                    .then_some(())
                    .ok_or("no logged policies read".into())
            }),
        },
    ));
    inputs.push((
        "the seed exports".into(),
        Case {
            paths: vec![root().join("datasets/seed-registration/signins")],
            exercises: Box::new(|l| {
                let l = l.as_ref()?;
                (rows_read(l) > 100 && l.records.iter().any(|r| r.ca_policies.is_some()))
                    .then_some(())
                    .ok_or(format!("{} rows", rows_read(l)))
            }),
        },
    ));
    let perf = common::perf_file(3000);
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = broken_copy(&perf, dir.path());
    inputs.push((
        "3000 generated sign-ins".into(),
        Case {
            paths: vec![perf.clone()],
            exercises: Box::new(|l| {
                let l = l.as_ref()?;
                // More than one parse block of the parallel reader, and more than one
                // chunk (8 MiB), the size from which the file is mapped.
                let size = std::fs::metadata(&l.ledger.files[0].path).map_or(0, |m| m.len());
                (rows_read(l) == 3000 && l.records.len() == 3000 && size > 8 << 20)
                    .then_some(())
                    .ok_or(format!("{} rows, {size} bytes", rows_read(l)))
            }),
        },
    ));
    inputs.push((
        "3000 generated sign-ins, a garbage line and a truncated last line".into(),
        Case {
            paths: vec![broken],
            exercises: Box::new(|l| {
                let l = l.as_ref()?;
                let f = &l.ledger.files[0];
                ((f.rows_read, f.rows_rejected, l.records.len()) == (3001, 2, 2999))
                    .then_some(())
                    .ok_or(format!("{f:?}"))
            }),
        },
    ));

    let reference = Twin::new("read(2), 1 thread, every field", full(1, true))
        .also(|c: &Case, r: &Load, _: &Load| (c.exercises)(r));
    let twins = [
        Twin::new("parallel reader, 2 threads, mapped", full(2, false)),
        Twin::new("parallel reader, 2 threads, read(2)", full(2, true)),
        Twin::new("1 thread, mapped", full(1, false)),
        Twin::new("replay projection, 2 threads", projected(2))
            .expect(cleared)
            .also(same_facts),
        Twin::new("replay projection, 1 thread", projected(1))
            .expect(cleared)
            .also(same_facts),
    ];
    assert_agree(&inputs, &reference, &twins, compare);
}
