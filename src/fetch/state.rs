//! The resume state of a sign-in fetch (`fetch-state.json` in the tenant folder): per
//! stream (one sign-in kind from Graph, or one Log Analytics table), the pages written and
//! where to continue. It is saved after every page, so a failed or interrupted run keeps
//! what it wrote and the next run continues from there. It holds URLs and times, never a
//! token.

use super::error::FetchError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the state, in the tenant folder (not a part replay reads).
pub const STATE_FILE: &str = "fetch-state.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `graph` or `log-analytics:<workspace id>`.
    pub source: String,
    /// The window, RFC 3339 UTC; `since` inclusive, `until` exclusive.
    pub since: String,
    pub until: String,
    pub streams: BTreeMap<String, Stream>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Stream {
    /// Pages (Graph) or time chunks (Log Analytics) written.
    pub pages: u64,
    pub records: u64,
    /// Graph: the `@odata.nextLink` to continue from.
    pub next: Option<String>,
    /// Graph: the oldest `createdDateTime` written (Graph lists newest first), to restart
    /// below it when a stored nextLink has expired.
    pub oldest: Option<String>,
    /// Log Analytics: the start of the next chunk.
    pub cursor: Option<String>,
    pub done: bool,
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

/// The saved state, if any.
pub fn load(dir: &Path) -> Result<Option<State>, FetchError> {
    let p = path(dir);
    match std::fs::read_to_string(&p) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| FetchError::State {
                path: p,
                message: format!(
                    "unreadable resume state ({e}); remove it or pass --restart to fetch the \
                     sign-ins again"
                ),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FetchError::io(p, e)),
    }
}

pub fn save(dir: &Path, s: &State) -> Result<(), FetchError> {
    let p = path(dir);
    let v = serde_json::to_value(s).map_err(|e| FetchError::State {
        path: p.clone(),
        message: e.to_string(),
    })?;
    super::write::json(&p, &v)
}
