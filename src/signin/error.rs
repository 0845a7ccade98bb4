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
    #[error("{path}: looks like UTF-16 ({byte_order}) without a byte order mark; re-save as UTF-8 (or as UTF-16 with a BOM, e.g. PowerShell `Out-File -Encoding utf8`)")]
    Utf16WithoutBom {
        path: PathBuf,
        byte_order: &'static str,
    },
    #[error("{path}: PowerShell Export-Csv of Graph SDK sign-in objects (Get-MgAuditLogSignIn): nested values (DeviceDetail, Location, Status, AppliedConditionalAccessPolicies, ...) were written as type names such as `Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInLocation`, so device, location, result and policy facts are lost and cannot be replayed; re-export with `ConvertTo-Json -Depth 10` (e.g. `Get-MgAuditLogSignIn -All | ConvertTo-Json -Depth 10 | Out-File signins.json -Encoding utf8`), or download the sign-ins as CSV or JSON from the Entra admin center")]
    PowershellCsv { path: PathBuf },
    #[error("{path}: cannot read CSV: {message}")]
    Csv { path: PathBuf, message: String },
    #[error("{path}: cannot read Parquet: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("no input files given")]
    NoInput,
}

impl From<crate::walk::WalkError> for LoadError {
    fn from(e: crate::walk::WalkError) -> LoadError {
        use crate::walk::WalkError as W;
        match e {
            W::NotFound { path } => LoadError::NotFound { path },
            W::NoMatch { pattern } => LoadError::NoMatch { pattern },
            W::BadGlob { pattern, message } => LoadError::BadGlob { pattern, message },
            W::Io { path, source } => LoadError::Io { path, source },
        }
    }
}
