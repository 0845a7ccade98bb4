//! Case-insensitive id handling (policy-model.md §0: special values and GUIDs compare
//! case-insensitively).

use std::collections::BTreeSet;

/// Lower-cased, trimmed id.
pub(crate) fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

pub(crate) fn is(s: &str, special: &str) -> bool {
    s.trim().eq_ignore_ascii_case(special)
}

/// A set of lower-cased ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IdSet(BTreeSet<String>);

impl IdSet {
    pub fn insert(&mut self, id: &str) {
        self.0.insert(norm(id));
    }
    pub fn contains(&self, id: &str) -> bool {
        // Ids are stored lower-cased; no allocation when the probe already is.
        self.contains_key(crate::policy::directory::id_key(id).as_ref())
    }
    /// [`contains`](IdSet::contains) for a probe already in key form (trimmed, ASCII
    /// lower case: `policy::directory::id_key`), as the evaluation context keeps the
    /// event's ids once per event (`engine::context`).
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains(key)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn intersects(&self, other: &crate::policy::directory::GroupSet) -> bool {
        self.0.iter().any(|g| other.contains(g))
    }
}
