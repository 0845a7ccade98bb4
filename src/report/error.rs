//! Errors of the reporter's file outputs. Each names the file and what went wrong.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{path}: cannot tell the events format from the file name; expected an extension \
         .parquet, .ndjson, .jsonl or .json"
    )]
    UnknownExtension { path: PathBuf },
    #[error("{path}: {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: writing Parquet failed: {message}")]
    Parquet { path: PathBuf, message: String },
}

impl ReportError {
    pub(crate) fn io(path: &std::path::Path, action: &'static str, source: std::io::Error) -> Self {
        ReportError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}
