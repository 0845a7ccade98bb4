//! Which files a list of command-line paths means: files as given, folders walked
//! recursively (only `*.json`, sorted, so output is stable), glob patterns expanded —
//! through [`crate::walk`], the walk the sign-in loader uses too: each real file once
//! (symlink loops and files named twice included).

use super::PolicyError;
use crate::walk::{self, WalkError};
use std::path::{Path, PathBuf};

/// Expand files, folders (recursive, `*.json` only) and glob patterns into a sorted,
/// de-duplicated list of files. A path that does not exist and is not a glob that
/// matches something is an error. So is a named pipe, socket or device among the inputs:
/// configuration is a set of small files the user controls, and one that cannot be read
/// stops the run (it is never opened: a FIFO without a writer would block forever).
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let walked =
        walk::expand(paths, &|p| walk::has_extension(p, &["json"])).map_err(|e| match e {
            WalkError::NotFound { path } => PolicyError::NotFound { path },
            WalkError::NoMatch { pattern } => PolicyError::NotFound {
                path: PathBuf::from(pattern),
            },
            WalkError::BadGlob { pattern, message } => PolicyError::Glob { pattern, message },
            WalkError::Io { path, source } => PolicyError::Io {
                path,
                message: source.to_string(),
            },
        })?;
    if let Some(s) = walked.skipped.first() {
        return Err(PolicyError::Io {
            path: s.path.clone(),
            message: format!(
                "a {} is not a regular file; careplay does not open pipes, sockets or devices (save the policy to a file)",
                s.kind
            ),
        });
    }
    Ok(walked.files)
}

/// Read a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, PolicyError> {
    std::fs::read(path).map_err(|e| PolicyError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
