//! Fields present in a row but not readable as what they should be: a redacted IP
//! address, an enum value from a newer Graph version. The row is loaded; the fact is
//! Unknown (the engine then answers Unknown for every condition that reads it, never
//! No); the ledger counts a warning per field and reason, with examples. Warnings are
//! counted on loaded rows: they are not a fourth bucket beside loaded, rejected and
//! duplicate.

use super::facts;
use super::reject::excerpt;
use super::schema::SignInRecord;
use super::values;
use std::fmt;

/// Which field could not be read (the ledger groups by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unreadable {
    /// `ipAddress` is not an IP address (`[redacted]`, `xxx.xxx.xxx.xxx`, a host name):
    /// the IP and every IP named location are Unknown.
    IpAddress,
    /// `deviceDetail.isCompliant` not a boolean.
    IsCompliant,
    /// `deviceDetail.isManaged` not a boolean.
    IsManaged,
    /// `clientAppUsed` outside the values mapped to CA client app types
    /// (signin-logs.md §8.7).
    ClientAppUsed,
    /// `riskLevelDuringSignIn` outside none/low/medium/high/hidden.
    SignInRisk,
    /// `deviceDetail.trustType` outside the join types (signin-logs.md §8.8).
    TrustType,
    /// `userType` outside member/guest.
    UserType,
    /// `originalTransferMethod` outside none/deviceCodeFlow/authenticationTransfer.
    TransferMethod,
    /// `conditionalAccessStatus` outside success/failure/notApplied (only `verify` reads
    /// it).
    ConditionalAccessStatus,
}

impl Unreadable {
    pub fn as_str(self) -> &'static str {
        match self {
            Unreadable::IpAddress => "ipAddress not an IP address",
            Unreadable::IsCompliant => "deviceDetail.isCompliant not a boolean",
            Unreadable::IsManaged => "deviceDetail.isManaged not a boolean",
            Unreadable::ClientAppUsed => "clientAppUsed not a known client app",
            Unreadable::SignInRisk => "riskLevelDuringSignIn not a known risk level",
            Unreadable::TrustType => "deviceDetail.trustType not a known join type",
            Unreadable::UserType => "userType not member or guest",
            Unreadable::TransferMethod => "originalTransferMethod not a known transfer method",
            Unreadable::ConditionalAccessStatus => {
                "conditionalAccessStatus not success, failure or notApplied"
            }
        }
    }

    /// A field of [`super::REPLAY_SKIPS`]: a replay's JSON readers skip it unread, so
    /// they never warn about it.
    pub fn replay_skips(self) -> bool {
        matches!(self, Unreadable::ConditionalAccessStatus)
    }

    /// The facts that become Unknown.
    fn effect(self) -> &'static str {
        match self {
            Unreadable::IpAddress => "IP address and IP named locations unknown",
            Unreadable::IsCompliant => "device compliance unknown",
            Unreadable::IsManaged => "device management state unknown",
            Unreadable::ClientAppUsed => "client app type unknown",
            Unreadable::SignInRisk => "sign-in risk unknown",
            Unreadable::TrustType => "device trust type unknown",
            Unreadable::UserType => "user type unknown",
            Unreadable::TransferMethod => "authentication flow unknown",
            Unreadable::ConditionalAccessStatus => "logged CA status not compared",
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One unreadable field of one loaded row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldWarning {
    pub kind: Unreadable,
    /// The value as logged (shortened).
    pub value: String,
}

impl FieldWarning {
    pub fn new(kind: Unreadable, value: &str) -> FieldWarning {
        FieldWarning {
            kind,
            value: excerpt(value),
        }
    }
}

impl fmt::Display for FieldWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `{}` ({}; the row is loaded)",
            self.kind,
            self.value,
            self.kind.effect()
        )
    }
}

/// The enum-valued fields of a canonical record that the facts mapping (facts.rs) cannot
/// read. Kept as text in the record (the canonical columns hold what the log said), so the
/// same check serves every reader, Parquet included. Values the spec maps to Unknown on
/// purpose (`clientAppUsed` `Unknown`) are not warnings.
pub fn check_enums(r: &SignInRecord, out: &mut Vec<FieldWarning>) {
    let mut buf = [0u8; 64];
    if let Some(c) = r.client_app_raw.as_deref() {
        if facts::client_app(c).is_none() && values::squash(c, &mut buf) != "unknown" {
            out.push(FieldWarning::new(Unreadable::ClientAppUsed, c));
        }
    }
    if let Some(s) = r.sign_in_risk.as_deref() {
        if facts::risk(s).is_none() {
            out.push(FieldWarning::new(Unreadable::SignInRisk, s));
        }
    }
    if let Some(t) = r.device_trust_type.as_deref() {
        if facts::trust_type(t).is_none() {
            out.push(FieldWarning::new(Unreadable::TrustType, t));
        }
    }
    if let Some(u) = r.user_type.as_deref() {
        if u != "member" && u != "guest" {
            out.push(FieldWarning::new(Unreadable::UserType, u));
        }
    }
    if let Some(m) = r.original_transfer_method.as_deref() {
        if facts::transfer(m).is_none() {
            out.push(FieldWarning::new(Unreadable::TransferMethod, m));
        }
    }
    if let Some(s) = r.ca_status.as_deref() {
        if !matches!(s, "success" | "failure" | "notApplied") {
            out.push(FieldWarning::new(Unreadable::ConditionalAccessStatus, s));
        }
    }
}
