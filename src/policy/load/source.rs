//! Which files a list of command-line paths means: files as given, folders walked
//! recursively (only `*.json`, sorted, so output is stable), glob patterns expanded.

use super::PolicyError;
use std::path::{Path, PathBuf};

/// Expand files, folders (recursive, `*.json` only) and glob patterns into a sorted,
/// de-duplicated list of files. A path that does not exist and is not a glob that
/// matches something is an error.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_file() {
            out.push(path.clone());
        } else if path.is_dir() {
            let before = out.len();
            walk(path, &mut out)?;
            out[before..].sort();
        } else {
            let pattern = path.to_string_lossy();
            if !pattern.contains(['*', '?', '[']) {
                return Err(PolicyError::NotFound { path: path.clone() });
            }
            let entries = glob::glob(&pattern).map_err(|e| PolicyError::Glob {
                pattern: pattern.to_string(),
                message: e.to_string(),
            })?;
            let mut matched = Vec::new();
            for entry in entries {
                let p = entry.map_err(|e| PolicyError::Io {
                    path: e.path().to_path_buf(),
                    message: e.error().to_string(),
                })?;
                if p.is_dir() {
                    walk(&p, &mut matched)?;
                } else {
                    matched.push(p);
                }
            }
            if matched.is_empty() {
                return Err(PolicyError::NotFound { path: path.clone() });
            }
            matched.sort();
            out.extend(matched);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let io = |e: std::io::Error| PolicyError::Io {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Read a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, PolicyError> {
    std::fs::read(path).map_err(|e| PolicyError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
