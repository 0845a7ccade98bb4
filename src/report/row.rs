//! One replayed event, as the reporter sees it. Built by `replay`, consumed by the
//! aggregates and by `--events-out`.

use serde::Serialize;

/// Outcome of one event under one policy set (design.md "Per event").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Allowed,
    Challenged,
    Blocked,
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Allowed,
        Outcome::Challenged,
        Outcome::Blocked,
        Outcome::Unknown,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Challenged => "challenged",
            Outcome::Blocked => "blocked",
            Outcome::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event after baseline and candidate evaluation. String columns are display-ready;
/// `None` means the log did not carry the fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    pub request_id: String,
    /// RFC 3339 UTC.
    pub created_at: Option<String>,
    /// interactiveUser | nonInteractiveUser | servicePrincipal | managedIdentity | unknown
    pub event_type: String,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    pub app_id: Option<String>,
    pub app_display_name: Option<String>,
    pub resource_id: Option<String>,
    pub resource_display_name: Option<String>,
    pub ip: Option<String>,
    /// Named locations the IP matched (display names, `;`-joined), else the country code,
    /// else `unknown`.
    pub location: String,
    /// browser | mobileAppsAndDesktopClients | exchangeActiveSync | other | unknown
    pub client_app_type: String,
    pub baseline_outcome: Outcome,
    pub candidate_outcome: Outcome,
    /// Display names of enforced policies that applied (or may apply) in each set.
    pub baseline_policies_applied: Vec<String>,
    pub candidate_policies_applied: Vec<String>,
    /// What the candidate set would ask for: `block`, `mfa`,
    /// `authenticationStrength:<name>`, `compliantDevice`, … (`;`-joined), empty if nothing.
    pub candidate_demand: String,
    /// Policies whose candidate verdict differs from the baseline and explain the move.
    pub changed_by: Vec<String>,
    /// Human-readable explanation of the candidate outcome.
    pub explanation: String,
}

/// Row accounting from the loader, stated in every report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InputSummary {
    pub files: Vec<FileSummary>,
    pub rows_read: u64,
    pub rows_loaded: u64,
    pub rows_rejected: u64,
    pub duplicates_dropped: u64,
    /// (reason, count), most frequent first.
    pub rejected_by_reason: Vec<(String, u64)>,
    pub policies_loaded: u64,
    pub policies_rejected: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileSummary {
    pub path: String,
    pub format: String,
    pub rows_read: u64,
    pub rows_loaded: u64,
    pub rows_rejected: u64,
}
