//! Directory snapshot: the facts sign-in logs do not carry (group membership, directory
//! roles, guest types, service principals). Documented in README "Directory snapshot".
//!
//! Canonical file format (`directory.json`):
//! ```json
//! {
//!   "tenantId": "11111111-1111-4111-8111-111111111111",
//!   "users": [
//!     {"id": "…", "userPrincipalName": "alice@contoso.com", "displayName": "Alice",
//!      "userType": "Member", "externalUserType": null, "homeTenantId": null,
//!      "groups": ["<group id>"], "roles": ["<role template id>"],
//!      "eligibleRoles": ["<role template id>"], "tapIsUsableOnce": null,
//!      "touAccepted": ["<terms of use id>"], "riskLevel": "none"}
//!   ],
//!   "groups": [{"id": "…", "displayName": "g-finance", "members": ["<user or group id>"]}],
//!   "servicePrincipals": [{"id": "…", "appId": "…", "displayName": "…",
//!                          "appOwnerOrganizationId": "<tenant id>"}],
//!   "devices": [{"deviceId": "<id sign-in logs carry>", "model": "…", "manufacturer": "…",
//!                "trustType": "AzureAd", "isCompliant": true,
//!                "extensionAttributes": {"extensionAttribute1": "…"}}]
//! }
//! ```
//! Membership may be given from either side (`users[].groups` or `groups[].members`);
//! nested groups are resolved transitively when the snapshot is built.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryFile {
    pub tenant_id: Option<String>,
    pub users: Vec<DirUser>,
    pub groups: Vec<DirGroup>,
    pub service_principals: Vec<DirServicePrincipal>,
    /// Device objects for filter-for-devices rules (evaluation.md §3.8), joined to a
    /// sign-in by `deviceDetail.deviceId`.
    pub devices: Vec<DirDevice>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DirUser {
    pub id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    /// `Member` | `Guest`.
    pub user_type: Option<String>,
    /// One of the six CA guest/external types, when known (policy-model.md §3).
    pub external_user_type: Option<String>,
    pub home_tenant_id: Option<String>,
    /// Direct group ids.
    pub groups: Vec<String>,
    /// Active built-in directory role template ids.
    pub roles: Vec<String>,
    /// PIM-eligible (not activated) role template ids: do not count (evaluation.md §3.2).
    pub eligible_roles: Vec<String>,
    pub tap_is_usable_once: Option<bool>,
    /// Terms-of-use agreement ids this user has accepted; `None` = unknown.
    pub tou_accepted: Option<Vec<String>>,
    /// User risk level from Identity Protection (Graph `riskyUser.riskLevel`: none, low,
    /// medium, high); sign-in logs do not carry it (signin-logs.md §8 row 16). `None` =
    /// unknown.
    pub risk_level: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DirGroup {
    pub id: String,
    pub display_name: Option<String>,
    /// Direct members: user ids or group ids.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DirServicePrincipal {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub app_owner_organization_id: Option<String>,
}

/// A device object (Graph `device` resource subset) for filter-for-devices evaluation.
/// `deviceId` is the id sign-in logs carry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DirDevice {
    pub device_id: String,
    pub display_name: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub operating_system: Option<String>,
    pub operating_system_version: Option<String>,
    pub enrollment_profile_name: Option<String>,
    /// `Personal` | `Company`.
    pub device_ownership: Option<String>,
    pub is_compliant: Option<bool>,
    pub is_managed: Option<bool>,
    pub mdm_app_id: Option<String>,
    /// `RegisteredDevice` | `SecureVM` | `Printer` | `Shared` | `IoT`.
    pub profile_type: Option<String>,
    /// `AzureAD` | `ServerAD` | `Workplace`.
    pub trust_type: Option<String>,
    /// `extensionAttribute1` … `extensionAttribute15`.
    pub extension_attributes: BTreeMap<String, Option<String>>,
    pub physical_ids: Vec<String>,
    pub system_labels: Vec<String>,
}

/// Transitive group ids (lower case) of one user.
pub type GroupSet = FxHashSet<String>;

/// The resolved snapshot the engine queries. The engine looks ids up once or more per
/// evaluated key, so the maps are hashed (Fx: ids are not attacker-chosen keys of a
/// long-lived service); `users()` still lists users in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    pub tenant_id: Option<String>,
    users: FxHashMap<String, DirUser>,
    /// user id -> transitive group ids.
    transitive: FxHashMap<String, GroupSet>,
    groups: FxHashMap<String, DirGroup>,
    /// Every group id the snapshot names: `groups[].id` and each user's direct groups.
    known_groups: FxHashSet<String>,
    service_principals: FxHashMap<String, DirServicePrincipal>,
    /// appId (key form) -> service principal object id (key form): the resource of a
    /// sign-in is an app id, and the application bundles place it by owner and name.
    app_ids: FxHashMap<String, String>,
    devices: FxHashMap<String, DirDevice>,
}

impl Directory {
    /// Build from the canonical file shape; resolves nested groups (cycles are tolerated).
    pub fn from_file(file: DirectoryFile) -> Directory {
        let norm = |s: &str| s.trim().to_ascii_lowercase();
        // parent groups of each member (user or group), direct.
        let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for g in &file.groups {
            for m in &g.members {
                parents.entry(norm(m)).or_default().insert(norm(&g.id));
            }
        }
        for u in &file.users {
            for g in &u.groups {
                parents.entry(norm(&u.id)).or_default().insert(norm(g));
            }
        }
        let mut transitive = FxHashMap::default();
        for u in &file.users {
            let mut seen = GroupSet::default();
            let mut stack: Vec<String> = parents
                .get(&norm(&u.id))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            while let Some(g) = stack.pop() {
                if seen.insert(g.clone()) {
                    if let Some(ps) = parents.get(&g) {
                        stack.extend(ps.iter().cloned());
                    }
                }
            }
            transitive.insert(norm(&u.id), seen);
        }
        let known_groups = file
            .groups
            .iter()
            .map(|g| norm(&g.id))
            .chain(
                file.users
                    .iter()
                    .flat_map(|u| u.groups.iter().map(|g| norm(g))),
            )
            .collect();
        let app_ids = file
            .service_principals
            .iter()
            .filter_map(|s| Some((norm(s.app_id.as_deref()?), norm(&s.id))))
            .collect();
        Directory {
            tenant_id: file.tenant_id.map(|t| norm(&t)),
            known_groups,
            app_ids,
            users: file.users.into_iter().map(|u| (norm(&u.id), u)).collect(),
            transitive,
            groups: file.groups.into_iter().map(|g| (norm(&g.id), g)).collect(),
            service_principals: file
                .service_principals
                .into_iter()
                .map(|s| (norm(&s.id), s))
                .collect(),
            devices: file
                .devices
                .into_iter()
                .map(|d| (norm(&d.device_id), d))
                .collect(),
        }
    }

    /// The user, by object id (case-insensitive).
    pub fn user(&self, id: &str) -> Option<&DirUser> {
        self.users.get(id_key(id).as_ref())
    }

    /// Every user, in (lower-cased) id order.
    pub fn users(&self) -> impl Iterator<Item = &DirUser> {
        let mut v: Vec<(&String, &DirUser)> = self.users.iter().collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, u)| u)
    }

    /// Transitive group ids (lower case) of a user; `None` when the user is not in the snapshot.
    pub fn transitive_groups(&self, user_id: &str) -> Option<&GroupSet> {
        self.transitive.get(id_key(user_id).as_ref())
    }

    /// Active role template ids of a user; `None` when the user is not in the snapshot.
    pub fn active_roles(&self, user_id: &str) -> Option<&[String]> {
        self.user(user_id).map(|u| u.roles.as_slice())
    }

    /// Every group object, in (lower-cased) id order.
    pub fn groups(&self) -> impl Iterator<Item = &DirGroup> {
        let mut v: Vec<(&String, &DirGroup)> = self.groups.iter().collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, g)| g)
    }

    pub fn group(&self, id: &str) -> Option<&DirGroup> {
        self.groups.get(id_key(id).as_ref())
    }

    /// Whether the snapshot names this group at all (as a group or in a user's groups).
    /// A group it does not name may still hold the user through nesting the snapshot
    /// does not show, so membership in it is unknown, not "no".
    pub fn knows_group(&self, id: &str) -> bool {
        self.known_groups.contains(id_key(id).as_ref())
    }

    pub fn service_principal(&self, id: &str) -> Option<&DirServicePrincipal> {
        self.service_principals.get(id_key(id).as_ref())
    }

    /// The service principal of an application, by its `appId` (case-insensitive).
    pub fn service_principal_by_app_id(&self, app_id: &str) -> Option<&DirServicePrincipal> {
        let sp = self.app_ids.get(id_key(app_id).as_ref())?;
        self.service_principals.get(sp)
    }

    /// Add a device snapshot (filter for devices, evaluation.md §3.8).
    pub fn with_devices(mut self, devices: Vec<DirDevice>) -> Directory {
        for d in devices {
            self.devices
                .insert(d.device_id.trim().to_ascii_lowercase(), d);
        }
        self
    }

    /// A device by its `deviceId` (case-insensitive).
    pub fn device(&self, device_id: &str) -> Option<&DirDevice> {
        self.devices.get(id_key(device_id).as_ref())
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }
}

/// The map key of an id (trimmed, ASCII lower case), borrowed when the id already is one
/// (the common case: Graph logs object ids in lower case), so lookups do not allocate.
/// Shared with the engine's id sets (`engine::ids::IdSet::contains`).
pub(crate) fn id_key(id: &str) -> std::borrow::Cow<'_, str> {
    let t = crate::model::text::trim(id);
    if t.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(t.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_groups_resolve_from_either_side() {
        let file: DirectoryFile = serde_json::from_str(
            r#"{"users":[{"id":"U1","groups":["gsub"]},{"id":"u2"}],
                "groups":[{"id":"gfin","members":["GSUB"]},{"id":"gsub","members":["u2"]},
                          {"id":"loop","members":["gfin"]},{"id":"gfin2","members":["loop"]}]}"#,
        )
        .unwrap_or_default();
        let d = Directory::from_file(file);
        let g = d.transitive_groups("u1").cloned().unwrap_or_default();
        assert!(g.contains("gsub") && g.contains("gfin") && g.contains("loop"));
        assert!(d
            .transitive_groups("u2")
            .is_some_and(|g| g.contains("gfin")));
        assert!(d.transitive_groups("nobody").is_none());
    }
}
