//! Errors that stop a load: the input cannot be read at all. Row-level problems are never
//! errors; they are counted in the ledger.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("{pattern}: the glob pattern matches no file")]
    NoMatch { pattern: String },
    #[error("{pattern}: invalid glob pattern: {message}")]
    BadGlob { pattern: String, message: String },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: unknown sign-in log format: {detail}; first bytes: `{first_bytes}` (use --format to force one)")]
    UnknownFormat {
        path: PathBuf,
        detail: String,
        first_bytes: String,
    },
    #[error("{path}: PowerShell Export-Csv of SDK sign-in objects: nested values were written as type names and are lost; re-export with ConvertTo-Json -Depth 10 or use Graph/portal JSON")]
    PowershellCsv { path: PathBuf },
    #[error("{path}: cannot read CSV: {message}")]
    Csv { path: PathBuf, message: String },
    #[error("{path}: cannot read Parquet: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("no input files given")]
    NoInput,
}
