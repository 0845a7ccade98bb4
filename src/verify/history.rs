//! Policy versions over time: a single snapshot, or a history of dated snapshots so that
//! each event is compared with the version in force at its time (`--history DIR`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::EventFacts;
use crate::policy::{Directory, Policy};

pub struct PolicyHistory {
    /// (in force from, policies), sorted by date; the first may have no date.
    versions: Vec<(Option<DateTime<Utc>>, Vec<Policy>)>,
    directory_users: Option<std::collections::BTreeSet<String>>,
}

impl PolicyHistory {
    pub fn single(policies: Vec<Policy>, directory: Option<&Directory>) -> PolicyHistory {
        PolicyHistory {
            versions: vec![(None, policies)],
            directory_users: directory.map(users_of),
        }
    }

    pub fn dated(
        mut versions: Vec<(DateTime<Utc>, Vec<Policy>)>,
        directory: Option<&Directory>,
    ) -> PolicyHistory {
        versions.sort_by_key(|v| v.0);
        PolicyHistory {
            versions: versions.into_iter().map(|(d, p)| (Some(d), p)).collect(),
            directory_users: directory.map(users_of),
        }
    }

    pub fn len(&self) -> usize {
        self.versions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    pub fn policies(&self, v: usize) -> &[Policy] {
        self.versions.get(v).map(|x| x.1.as_slice()).unwrap_or(&[])
    }

    pub fn all_policies(&self) -> impl Iterator<Item = &Policy> {
        self.versions.iter().flat_map(|v| v.1.iter())
    }

    pub fn dates(&self) -> Vec<Option<DateTime<Utc>>> {
        self.versions.iter().map(|v| v.0).collect()
    }

    /// Index of the version in force at `time` (RFC 3339): the latest version dated at or
    /// before it; events before the first version (or without a time) use the first.
    pub fn version_at(&self, time: Option<DateTime<Utc>>) -> Option<usize> {
        if self.versions.is_empty() {
            return None;
        }
        let Some(t) = time else { return Some(0) };
        let mut idx = 0;
        for (i, (d, _)) in self.versions.iter().enumerate() {
            match d {
                Some(d) if *d <= t => idx = i,
                None => idx = i,
                _ => break,
            }
        }
        Some(idx)
    }

    pub fn directory_missing_user(&self, f: &EventFacts) -> bool {
        match (&self.directory_users, &f.user_id) {
            (None, _) => true,
            (Some(users), Some(u)) => !users.contains(&u.to_ascii_lowercase()),
            (Some(_), None) => false,
        }
    }
}

fn users_of(d: &Directory) -> std::collections::BTreeSet<String> {
    d.users().map(|u| u.id.to_ascii_lowercase()).collect()
}

/// Subfolders of a history folder named by the date they took effect
/// (`2026-10-01`, `2026-10-15T12:00:00Z`), each holding policy files.
pub fn history_folders(dir: &Path) -> std::io::Result<Vec<(DateTime<Utc>, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let date = DateTime::parse_from_rfc3339(&name)
            .map(|d| d.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(&name, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc())
            });
        if let Some(d) = date {
            out.push((d, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}
