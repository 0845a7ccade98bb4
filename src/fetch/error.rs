//! Errors of `careplay fetch`. None of them carries a token: messages name the endpoint,
//! the HTTP status and Graph's own error code and message, never a request header.

use std::path::PathBuf;

/// What went wrong while fetching a tenant.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No way to get a bearer token, or the token source failed.
    #[error("authentication: {0}")]
    Auth(String),
    /// 401: the token was refused (expired, or issued for another resource).
    #[error(
        "{endpoint}: the token was refused (HTTP 401{detail}): it is expired, or was not issued \
         for {resource}; get a new one"
    )]
    Unauthorized {
        endpoint: String,
        resource: String,
        detail: String,
    },
    /// 403: the caller lacks the permission the endpoint needs.
    #[error(
        "{endpoint}: permission denied (HTTP 403{detail}): this needs {permission} \
         (see {doc})"
    )]
    Permission {
        endpoint: String,
        permission: String,
        doc: String,
        detail: String,
    },
    /// Any other HTTP failure, after the retries.
    #[error("{endpoint}: {url}: HTTP {status}{detail}")]
    Http {
        endpoint: String,
        url: String,
        status: u16,
        detail: String,
    },
    /// The connection failed, after the retries.
    #[error("{endpoint}: {url}: {message}")]
    Transport {
        endpoint: String,
        url: String,
        message: String,
    },
    /// A response that is not what the documented shape says.
    #[error("{endpoint}: {url}: unexpected response: {message}")]
    Shape {
        endpoint: String,
        url: String,
        message: String,
    },
    /// A file of the tenant folder could not be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The resume state does not fit this run.
    #[error("{}: {message}", path.display())]
    State { path: PathBuf, message: String },
    /// A flag value that cannot be used.
    #[error("{0}")]
    Usage(String),
    /// The folder fetch wrote does not load the way replay loads it.
    #[error("the fetched tenant folder does not load: {0}")]
    Check(String),
}

impl FetchError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> FetchError {
        FetchError::Io {
            path: path.into(),
            source,
        }
    }

    /// Auth and permission errors: the run cannot succeed without a change of
    /// credentials, so a retry or a resume would fail the same way.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            FetchError::Auth(_) | FetchError::Unauthorized { .. } | FetchError::Permission { .. }
        )
    }
}
