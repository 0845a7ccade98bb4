//! A reference figure, not careplay's work: how long it takes only to check the JSON
//! syntax of every line of the inputs with `serde_json` (the parser careplay's serde path
//! uses; `IgnoredAny` builds nothing), on the same pool. Any reader that validates its
//! input pays at least this, so `syntax_floor / DuckDB` tells how far under DuckDB's time
//! a validating Rust replay can go on this machine before it reads a single field.

use std::fs::File;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::de::IgnoredAny;

use super::{pool, timed, BenchError, Phase};
use crate::signin::chunks::{ChunkSource, MappedChunks};

/// Bytes mapped at a time.
const WINDOW: usize = 256 << 20;

/// What the syntax check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Floor {
    /// Non-empty lines checked.
    pub lines: u64,
    /// Of which not one JSON text.
    pub invalid: u64,
}

/// Check every line of `paths` (uncompressed JSON Lines; other inputs are skipped and
/// `None` is returned when none is left) on a pool of `threads`.
pub fn syntax_floor(
    paths: &[PathBuf],
    threads: usize,
) -> Result<Option<(Floor, Phase)>, BenchError> {
    let plain: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "ndjson" || x == "jsonl" || x == "json")
        })
        .collect();
    if plain.is_empty() {
        return Ok(None);
    }
    let p = pool(threads)?;
    let (res, phase) = timed(|| p.install(|| check_files(&plain, WINDOW)));
    Ok(Some((res?, phase)))
}

fn io_err(path: &std::path::Path, e: std::io::Error) -> BenchError {
    BenchError::Floor {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn check_files(paths: &[&PathBuf], window: usize) -> Result<Floor, BenchError> {
    let mut total = Floor::default();
    for path in paths {
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        // The loader's own windows (a leading byte order mark skipped). A window ends
        // inside a line longer than itself, so the unfinished end of one window is carried
        // into the next and only complete lines are checked.
        let mut chunks = MappedChunks::new(file, window, None).map_err(|e| io_err(path, e))?;
        let mut carry: Vec<u8> = Vec::new();
        let mut add = |f: Floor| {
            total.lines += f.lines;
            total.invalid += f.invalid;
        };
        while let Some(chunk) = chunks.next().map_err(|e| io_err(path, e))? {
            let bytes: &[u8] = &chunk.bytes;
            match memchr::memrchr(b'\n', bytes) {
                Some(i) if carry.is_empty() => {
                    add(check(&bytes[..=i]));
                    carry.extend_from_slice(&bytes[i + 1..]);
                }
                Some(i) => {
                    carry.extend_from_slice(&bytes[..=i]);
                    add(check(&carry));
                    carry.clear();
                    carry.extend_from_slice(&bytes[i + 1..]);
                }
                None => carry.extend_from_slice(bytes),
            }
        }
        add(check(&carry));
    }
    Ok(total)
}

/// Check each non-empty line of `bytes` on the current pool.
fn check(bytes: &[u8]) -> Floor {
    bytes
        .par_split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| Floor {
            lines: 1,
            invalid: u64::from(serde_json::from_slice::<IgnoredAny>(l).is_err()),
        })
        .reduce(Floor::default, |a, b| Floor {
            lines: a.lines + b.lines,
            invalid: a.invalid + b.invalid,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_invalid_lines() {
        let f = check(b"{\"a\":1}\n\n  \n{\"b\":[1,2]}\r\n{\"c\":\n1]\n");
        assert_eq!(
            f,
            Floor {
                lines: 4,
                invalid: 2
            }
        );
    }

    #[test]
    fn windows_split_at_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.ndjson");
        let line = "{\"id\":\"0123456789\"}\n";
        std::fs::write(&path, line.repeat(1000) + "{bad}\n").unwrap();
        let (f, _) = syntax_floor(std::slice::from_ref(&path), 2)
            .unwrap()
            .unwrap();
        assert_eq!(
            f,
            Floor {
                lines: 1001,
                invalid: 1
            }
        );
        // Windows smaller than the file and than one line.
        for window in [1, 7, 20, 21, 64, 4096] {
            let f = check_files(&[&path], window).unwrap();
            assert_eq!(
                f,
                Floor {
                    lines: 1001,
                    invalid: 1
                },
                "window {window}"
            );
        }
        // A byte order mark is skipped, as the loader skips it.
        let bom = dir.path().join("bom.ndjson");
        std::fs::write(&bom, [&b"\xEF\xBB\xBF"[..], line.as_bytes()].concat()).unwrap();
        assert_eq!(
            check_files(&[&bom], 4096).unwrap(),
            Floor {
                lines: 1,
                invalid: 0
            }
        );
        assert!(syntax_floor(&[dir.path().join("x.csv")], 1)
            .unwrap()
            .is_none());
    }
}
