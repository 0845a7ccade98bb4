//! One replayed event, as the reporter sees it. Built by `replay`, consumed by the
//! aggregates and by `--events-out`.

use serde::Serialize;

pub use crate::engine::undecided::UnknownCause;

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
    /// ISO 3166 alpha-2 country of the IP as logged (`location.countryOrRegion`), upper
    /// case; `Some("")` = the lookup found none.
    pub country: Option<String>,
    /// Named locations the IP matched (display names, `;`-joined), else the country code,
    /// else `unknown`.
    pub location: String,
    /// browser | mobileAppsAndDesktopClients | exchangeActiveSync | other | unknown
    pub client_app_type: String,
    /// `deviceDetail.deviceId` (`None` when the log has none or it is blank).
    pub device_id: Option<String>,
    /// `deviceDetail.operatingSystem` as logged.
    pub device_os: Option<String>,
    /// The device as the evaluator saw it (log, else the directory snapshot's device).
    #[serde(flatten)]
    pub device: DeviceCols,
    /// `status.errorCode` as logged (0 = success).
    pub error_code: Option<i32>,
    pub baseline_outcome: Outcome,
    pub candidate_outcome: Outcome,
    /// Display names of enforced policies that applied (or may apply) in each set.
    pub baseline_policies_applied: Vec<String>,
    pub candidate_policies_applied: Vec<String>,
    /// Ids of the same policies, index for index.
    pub baseline_policy_ids_applied: Vec<String>,
    pub candidate_policy_ids_applied: Vec<String>,
    /// What the candidate set would ask for: `block`, `mfa`,
    /// `authenticationStrength:<name>`, `compliantDevice`, … (`;`-joined), empty if nothing.
    pub candidate_demand: String,
    /// Policies whose candidate verdict differs from the baseline and explain the move.
    pub changed_by: Vec<String>,
    /// Ids of `changed_by`, index for index.
    pub changed_by_ids: Vec<String>,
    /// Human-readable explanation of the candidate outcome.
    pub explanation: String,
    /// Why the baseline or candidate outcome is Unknown (empty when both are decided):
    /// one entry per cause, sorted by cause name. The events file writes it as two
    /// index-aligned lists, `unknown_causes` (codes) and `unknown_reasons` (texts).
    #[serde(skip)]
    pub unknown_causes: Vec<UnknownCause>,
}

/// The device columns of a row: what the evaluator read (`engine::device_view`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct DeviceCols {
    /// Whether a registered device signed in (`deviceId` present and not blank).
    pub device_registered: Option<bool>,
    pub device_compliant: Option<bool>,
    pub device_managed: Option<bool>,
    /// `AzureAD` (Microsoft Entra joined), `ServerAD` (hybrid joined), `Workplace`
    /// (registered): the device-filter vocabulary.
    pub device_trust_type: Option<&'static str>,
}

impl DeviceCols {
    pub fn of(v: crate::engine::DeviceView) -> DeviceCols {
        use crate::model::TrustType;
        DeviceCols {
            device_registered: v.registered,
            device_compliant: v.compliant,
            device_managed: v.managed,
            device_trust_type: v.trust_type.map(|t| match t {
                TrustType::AzureAd => "AzureAD",
                TrustType::ServerAd => "ServerAD",
                TrustType::Workplace => "Workplace",
            }),
        }
    }
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
    /// Loaded rows with a field that could not be read (its fact Unknown): (field and
    /// reason, rows), most frequent first. Not a fourth bucket: these rows are loaded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable_by_reason: Vec<(String, u64)>,
    /// Inputs never opened (named pipes, sockets, devices), one message each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs_skipped: Vec<String>,
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

/// An event time as the rows show it: RFC 3339 in UTC with `Z` and only the sub-second
/// digits it has (`to_rfc3339_opts(AutoSi, true)`, the slow twin), written into `out`.
/// The streaming replay rewrites one reused row per event; formatting through chrono
/// allocated a new string each time. Years outside 0..=9999 and leap seconds take
/// chrono's own writer (the unit tests compare both on random times).
pub fn write_time(out: &mut String, t: &chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    out.clear();
    let year = t.year();
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        out.push_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        return;
    }
    digits(out, year as u32, 4);
    out.push('-');
    digits(out, t.month(), 2);
    out.push('-');
    digits(out, t.day(), 2);
    out.push('T');
    digits(out, t.hour(), 2);
    out.push(':');
    digits(out, t.minute(), 2);
    out.push(':');
    digits(out, t.second(), 2);
    if nanos != 0 {
        out.push('.');
        if nanos.is_multiple_of(1_000_000) {
            digits(out, nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            digits(out, nanos / 1_000, 6);
        } else {
            digits(out, nanos, 9);
        }
    }
    out.push('Z');
}

/// `n` as exactly `width` (at most 9) decimal digits, zero-padded.
fn digits(out: &mut String, mut n: u32, width: usize) {
    let mut buf = [b'0'; 9];
    for b in buf[..width].iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for b in &buf[..width] {
        out.push(char::from(*b));
    }
}

/// [`write_time`] into an optional column value, reusing its string.
pub fn set_time(slot: &mut Option<String>, t: Option<&chrono::DateTime<chrono::Utc>>) {
    match t {
        None => *slot = None,
        Some(t) => write_time(slot.get_or_insert_with(String::new), t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    fn twin(t: &DateTime<Utc>) -> String {
        t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    fn mine(t: &DateTime<Utc>) -> String {
        let mut s = String::from("left over");
        write_time(&mut s, t);
        s
    }

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 10, 1, 0, 1, 5).unwrap();
        for nanos in [
            0,
            1,
            9,
            10,
            999,
            1_000,
            26_490_000,
            120_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
        ] {
            let t = base + chrono::Duration::nanoseconds(nanos);
            assert_eq!(mine(&t), twin(&t), "{nanos} ns");
        }
        // Outside the four-digit years: chrono's writer.
        for t in [
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
        ] {
            assert_eq!(mine(&t), twin(&t));
        }
        // A leap second (nanosecond field past 1e9).
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|n| n.and_utc())
            .unwrap();
        assert_eq!(mine(&leap), twin(&leap));
        let mut slot = Some("x".to_string());
        set_time(&mut slot, None);
        assert_eq!(slot, None);
        set_time(&mut slot, Some(&base));
        assert_eq!(slot.as_deref(), Some("2026-10-01T00:01:05Z"));
    }

    proptest! {
        #[test]
        fn random_times_agree(secs in -62_167_219_200i64..253_402_300_800i64, nanos in 0u32..1_000_000_000u32, round in 0u8..3) {
            let nanos = match round { 0 => nanos / 1_000_000 * 1_000_000, 1 => nanos / 1_000 * 1_000, _ => nanos };
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            prop_assert_eq!(mine(&t), twin(&t));
        }
    }
}
