//! Why one input row was not loaded. Every reason names what was expected; the ledger adds
//! where (file:line or record index).

use std::fmt;

/// Category of a rejection (the ledger groups by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectKind {
    InvalidJson,
    TruncatedJson,
    NotAnObject,
    MissingRequired,
    BadTimestamp,
    BadIp,
    BadValue,
    BadNestedJson,
    RaggedRow,
    ShortRow,
    BadCsv,
    TooLarge,
    UnmatchedAuthDetail,
}

impl RejectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::InvalidJson => "invalid JSON",
            RejectKind::TruncatedJson => "truncated JSON",
            RejectKind::NotAnObject => "not an object",
            RejectKind::MissingRequired => "missing required field",
            RejectKind::BadTimestamp => "bad timestamp",
            RejectKind::BadIp => "bad IP address",
            RejectKind::BadValue => "bad value",
            RejectKind::BadNestedJson => "bad nested JSON",
            RejectKind::RaggedRow => "row has more fields than the header",
            RejectKind::ShortRow => "row has fewer fields than the header",
            RejectKind::BadCsv => "malformed CSV",
            RejectKind::TooLarge => "record larger than the limit",
            RejectKind::UnmatchedAuthDetail => "auth-detail row without a matching sign-in",
        }
    }
}

impl fmt::Display for RejectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected row: category plus a sentence naming the field, the value and what was
/// expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub kind: RejectKind,
    pub detail: String,
}

impl Reject {
    pub fn new(kind: RejectKind, detail: impl Into<String>) -> Reject {
        Reject {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)
    }
}

/// Shorten a value for a message.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}
