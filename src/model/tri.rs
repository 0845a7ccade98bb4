//! Three-valued logic (design.md "Tri"). Unknown carries the reason and is never
//! silently turned into Yes or No.

use std::borrow::Cow;
use std::fmt;

/// Why a fact or condition is unknown or unmet: a fixed text (no allocation: the engine
/// returns one per policy and event) or a formatted one.
pub type Reason = Cow<'static, str>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tri {
    Yes,
    No,
    Unknown(Reason),
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
    pub fn unknown(reason: impl Into<Reason>) -> Tri {
        Tri::Unknown(reason.into())
    }
    pub fn is_yes(&self) -> bool {
        matches!(self, Tri::Yes)
    }
    pub fn is_no(&self) -> bool {
        matches!(self, Tri::No)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Tri::Unknown(_))
    }
    /// Kleene AND: any No wins, then any Unknown, else Yes.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown(a), _) => Tri::Unknown(a),
            (_, Tri::Unknown(b)) => Tri::Unknown(b),
            _ => Tri::Yes,
        }
    }
    /// Kleene OR: any Yes wins, then any Unknown, else No.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown(a), _) => Tri::Unknown(a),
            (_, Tri::Unknown(b)) => Tri::Unknown(b),
            _ => Tri::No,
        }
    }
    pub fn any<I: IntoIterator<Item = Tri>>(items: I) -> Tri {
        items.into_iter().fold(Tri::No, Tri::or)
    }
    pub fn all<I: IntoIterator<Item = Tri>>(items: I) -> Tri {
        items.into_iter().fold(Tri::Yes, Tri::and)
    }
}

/// Kleene negation: Unknown stays Unknown.
impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            u => u,
        }
    }
}

impl fmt::Display for Tri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tri::Yes => f.write_str("yes"),
            Tri::No => f.write_str("no"),
            Tri::Unknown(r) => write!(f, "unknown ({r})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn kleene_tables() {
        let u = || Tri::unknown("x");
        assert_eq!(Tri::Yes.and(u()), u());
        assert_eq!(Tri::No.and(u()), Tri::No);
        assert_eq!(Tri::Yes.or(u()), Tri::Yes);
        assert_eq!(Tri::No.or(u()), u());
        assert_eq!(!u(), u());
        assert_eq!(Tri::all(vec![]), Tri::Yes);
        assert_eq!(Tri::any(vec![]), Tri::No);
    }
}
