//! Directory snapshot loader: the canonical `directory.json` (see `policy::directory`)
//! and Graph's own export shapes — a `/users` page or array (optionally with `memberOf` /
//! `transitiveMemberOf` expanded), `/groups` with `members`, `/servicePrincipals`,
//! `/directoryRoles` with `members`, `/devices` (extension attributes under
//! `extensionAttributes.extensionAttributeN`), or an object combining them. Every error names the
//! file and the JSON path of the offending value.

use super::normalize::normalize;
use super::{deserialize_at, json_child, json_index, text, type_name, PolicyError, Rejection};
use crate::diag::Origin;
use crate::model::ExternalUserType;
use crate::policy::directory::{
    DirDevice, DirGroup, DirServicePrincipal, DirUser, Directory, DirectoryFile,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Load and resolve a directory snapshot file.
pub fn load_directory(path: &Path) -> Result<Directory, PolicyError> {
    load_directory_file(path).map(Directory::from_file)
}

/// Load a directory snapshot file without resolving it.
pub fn load_directory_file(path: &Path) -> Result<DirectoryFile, PolicyError> {
    let decoded = super::read_document(path)?;
    parse_directory_str(&decoded, &Origin::file(path))
}

/// Parse a directory snapshot from text; `origin` names the source in errors.
pub fn parse_directory_str(text: &str, origin: &Origin) -> Result<DirectoryFile, PolicyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let texts = text::parse_texts(text).map_err(|e| PolicyError::Invalid {
        origin: Origin {
            line: Some(e.line),
            ..origin.clone()
        },
        message: format!(
            "invalid JSON at line {} column {}: {}",
            e.line, e.column, e.message
        ),
    })?;
    if texts.is_empty() {
        return Err(invalid(origin, "$", "empty file: no JSON value"));
    }
    let mut b = Builder {
        origin: origin.clone(),
        ..Builder::default()
    };
    let many = texts.len() > 1;
    for t in texts {
        if many {
            b.origin.line = Some(t.line);
        }
        b.top(normalize(t.value))?;
    }
    if !b.rejected.is_empty() {
        return Err(PolicyError::Rejected {
            rejected: b.rejected,
        });
    }
    Ok(b.finish())
}

fn invalid(origin: &Origin, path: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        origin: origin.clone().with_path(path),
        message: message.into(),
    }
}

#[derive(Default)]
struct Builder {
    origin: Origin,
    tenant_id: Option<String>,
    users: BTreeMap<String, DirUser>,
    groups: BTreeMap<String, DirGroup>,
    sps: Vec<DirServicePrincipal>,
    devices: Vec<DirDevice>,
    /// (user id, role template id) from `directoryRoles[].members`.
    role_members: Vec<(String, String)>,
    /// Values outside their sets: all collected, then the load fails listing them.
    rejected: Vec<Rejection>,
}

/// `userType` values (Graph `user.userType`).
const USER_TYPES: &[&str] = &["Member", "Guest"];
/// `riskLevel` values (Graph `riskyUser.riskLevel`, riskLevel enum).
const RISK_LEVELS: &[&str] = &["none", "low", "medium", "high", "hidden"];
/// Graph `device.trustType` values (device-filter `trustType`: evaluation.md §3.8).
const TRUST_TYPES: &[&str] = &["AzureAd", "ServerAd", "Workplace"];
/// Graph `device.deviceOwnership` values.
const OWNERSHIPS: &[&str] = &["Company", "Personal", "Unknown"];
/// Graph `device.profileType` values.
const PROFILE_TYPES: &[&str] = &["RegisteredDevice", "SecureVM", "Printer", "Shared", "IoT"];

/// The value of `v` within `set` (case-insensitive), or a message naming the set.
fn in_set(v: &str, set: &[&str]) -> Result<(), String> {
    if set.iter().any(|s| s.eq_ignore_ascii_case(v.trim())) {
        Ok(())
    } else {
        Err(format!("{v:?} is not one of {}", set.join(", ")))
    }
}

enum Kind {
    User,
    Group,
    ServicePrincipal,
    Role,
    Device,
}

impl Builder {
    fn err(&self, path: &str, message: impl Into<String>) -> PolicyError {
        invalid(&self.origin, path, message)
    }

    fn top(&mut self, v: Value) -> Result<(), PolicyError> {
        match v {
            Value::Array(items) => self.mixed(items, "$"),
            Value::Object(map) => {
                let sections = [
                    "users",
                    "groups",
                    "servicePrincipals",
                    "directoryRoles",
                    "devices",
                    "tenantId",
                ];
                if let Some(Value::Array(_)) = map.get("value") {
                    let items = match map.into_iter().find(|(k, _)| k == "value") {
                        Some((_, Value::Array(items))) => items,
                        _ => vec![],
                    };
                    return self.mixed(items, "$.value");
                }
                if !map.keys().any(|k| sections.contains(&k.as_str())) {
                    return Err(self.err(
                        "$",
                        "not a directory snapshot: expected an object with `users` / `groups` / \
                         `servicePrincipals` / `directoryRoles` / `devices`, or a Graph /users, \
                         /groups or /devices page or array",
                    ));
                }
                self.combined(map)
            }
            other => Err(self.err(
                "$",
                format!(
                    "expected a directory snapshot object or array, found {}",
                    type_name(&other)
                ),
            )),
        }
    }

    fn combined(&mut self, map: Map<String, Value>) -> Result<(), PolicyError> {
        for (key, v) in map {
            let path = json_child("$", &key);
            let kind = match key.as_str() {
                "tenantId" => {
                    match v {
                        Value::String(s) => self.tenant_id = Some(s),
                        Value::Null => {}
                        other => {
                            return Err(self.err(
                                &path,
                                format!("expected a string, found {}", type_name(&other)),
                            ))
                        }
                    }
                    continue;
                }
                "users" => Kind::User,
                "groups" => Kind::Group,
                "servicePrincipals" => Kind::ServicePrincipal,
                "directoryRoles" => Kind::Role,
                "devices" => Kind::Device,
                _ => continue,
            };
            let (items, items_path) = self.list(v, &path)?;
            for (i, item) in items.into_iter().enumerate() {
                self.item(&kind, item, &json_index(&items_path, i))?;
            }
        }
        Ok(())
    }

    /// An array, or a Graph page (`{"value": [...]}`), or null (empty).
    fn list(&self, v: Value, path: &str) -> Result<(Vec<Value>, String), PolicyError> {
        match v {
            Value::Null => Ok((vec![], path.to_string())),
            Value::Array(items) => Ok((items, path.to_string())),
            Value::Object(mut m) => match m.remove("value") {
                Some(Value::Array(items)) => Ok((items, json_child(path, "value"))),
                _ => Err(self.err(path, "expected an array or a Graph page with `value`")),
            },
            other => Err(self.err(
                path,
                format!("expected an array, found {}", type_name(&other)),
            )),
        }
    }

    fn mixed(&mut self, items: Vec<Value>, base: &str) -> Result<(), PolicyError> {
        for (i, item) in items.into_iter().enumerate() {
            let path = json_index(base, i);
            let kind = self.guess(&item, &path)?;
            self.item(&kind, item, &path)?;
        }
        Ok(())
    }

    fn guess(&self, item: &Value, path: &str) -> Result<Kind, PolicyError> {
        let Value::Object(m) = item else {
            return Err(self.err(
                path,
                format!("expected an object, found {}", type_name(item)),
            ));
        };
        if let Some(t) = m.get("@odata.type").and_then(Value::as_str) {
            let t = t.to_ascii_lowercase();
            if t.ends_with(".user") {
                return Ok(Kind::User);
            }
            if t.ends_with(".group") {
                return Ok(Kind::Group);
            }
            if t.ends_with(".serviceprincipal") {
                return Ok(Kind::ServicePrincipal);
            }
            if t.ends_with(".directoryrole") {
                return Ok(Kind::Role);
            }
            if t.ends_with(".device") {
                return Ok(Kind::Device);
            }
        }
        let has = |k: &str| m.contains_key(k);
        if has("deviceId") {
            Ok(Kind::Device)
        } else if has("userPrincipalName")
            || has("userType")
            || has("memberOf")
            || has("transitiveMemberOf")
        {
            Ok(Kind::User)
        } else if has("roleTemplateId") {
            Ok(Kind::Role)
        } else if has("appId") {
            Ok(Kind::ServicePrincipal)
        } else if has("members") || has("groupTypes") || has("securityEnabled") {
            Ok(Kind::Group)
        } else {
            Err(self.err(
                path,
                "cannot tell whether this is a user, group, service principal, directory role or \
                 device: add `@odata.type` or `userPrincipalName` / `members` / `appId` / \
                 `roleTemplateId` / `deviceId`",
            ))
        }
    }

    fn item(&mut self, kind: &Kind, item: Value, path: &str) -> Result<(), PolicyError> {
        let Value::Object(mut m) = item else {
            return Err(self.err(
                path,
                format!("expected an object, found {}", type_name(&item)),
            ));
        };
        let id = match m.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            // A device is keyed by `deviceId` (what sign-in logs carry), not its object id.
            _ if matches!(kind, Kind::Role | Kind::Device) => String::new(),
            _ => return Err(self.err(&json_child(path, "id"), "missing object id (`id`)")),
        };
        match kind {
            Kind::User => {
                let mut groups = Vec::new();
                let mut roles = Vec::new();
                for key in ["memberOf", "transitiveMemberOf"] {
                    if let Some(v) = m.remove(key) {
                        let (entries, p) = self.list(v, &json_child(path, key))?;
                        for (i, e) in entries.into_iter().enumerate() {
                            self.membership(e, &json_index(&p, i), &mut groups, &mut roles)?;
                        }
                    }
                }
                let mut user: DirUser = deserialize_at(Value::Object(m), path)
                    .map_err(|(at, msg)| self.err(&at, msg))?;
                self.check_user_sets(&user, path);
                user.groups.extend(groups);
                user.roles.extend(roles);
                self.add_user(user);
            }
            Kind::Group => {
                let members = match m.remove("members") {
                    Some(v) => {
                        let (entries, p) = self.list(v, &json_child(path, "members"))?;
                        entries
                            .into_iter()
                            .enumerate()
                            .map(|(i, e)| self.member_id(e, &json_index(&p, i)))
                            .collect::<Result<Vec<_>, _>>()?
                    }
                    None => vec![],
                };
                let mut group: DirGroup = deserialize_at(Value::Object(m), path)
                    .map_err(|(at, msg)| self.err(&at, msg))?;
                group.members.extend(members);
                let key = id.trim().to_ascii_lowercase();
                match self.groups.get_mut(&key) {
                    Some(g) => g.members.extend(group.members),
                    None => {
                        self.groups.insert(key, group);
                    }
                }
            }
            Kind::ServicePrincipal => {
                let sp: DirServicePrincipal = deserialize_at(Value::Object(m), path)
                    .map_err(|(at, msg)| self.err(&at, msg))?;
                self.sps.push(sp);
            }
            Kind::Device => {
                match m.get("deviceId") {
                    Some(Value::String(s)) if !s.trim().is_empty() => {}
                    _ => {
                        return Err(self.err(
                            &json_child(path, "deviceId"),
                            "missing `deviceId`: sign-ins join to a device by its deviceId \
                             (deviceDetail.deviceId), not its object id",
                        ))
                    }
                }
                let device: DirDevice = deserialize_at(Value::Object(m), path)
                    .map_err(|(at, msg)| self.err(&at, msg))?;
                self.check_device_sets(&device, path);
                let key = device.device_id.trim().to_ascii_lowercase();
                if self
                    .devices
                    .iter()
                    .any(|d| d.device_id.trim().eq_ignore_ascii_case(&key))
                {
                    // Two objects for one deviceId: which one a sign-in joins to would be
                    // a guess.
                    self.rejected.push(Rejection {
                        origin: self.origin.clone().with_path(json_child(path, "deviceId")),
                        message: format!("deviceId {:?} appears twice", device.device_id),
                    });
                }
                self.devices.push(device);
            }
            Kind::Role => {
                // policy-model.md §3: CA matches role *template* ids, not role instance ids.
                let template =
                    match m.get("roleTemplateId") {
                        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                        _ => return Err(self.err(
                            &json_child(path, "roleTemplateId"),
                            "missing `roleTemplateId`: Conditional Access matches directory roles \
                             by template id, not by the role instance `id`",
                        )),
                    };
                if let Some(v) = m.remove("members") {
                    let (entries, p) = self.list(v, &json_child(path, "members"))?;
                    for (i, e) in entries.into_iter().enumerate() {
                        let uid = self.member_id(e, &json_index(&p, i))?;
                        self.role_members.push((uid, template.clone()));
                    }
                }
            }
        }
        Ok(())
    }

    /// A value outside its set would change an answer silently (an unknown `userType`
    /// reads as "not a member", an unknown `riskLevel` as no risk): each is an error.
    fn check_user_sets(&mut self, u: &DirUser, path: &str) {
        let external: Vec<&str> = ExternalUserType::ALL
            .iter()
            .map(|t| t.graph_name())
            .collect();
        let fields: [(&str, Option<&str>, &[&str]); 3] = [
            ("userType", u.user_type.as_deref(), USER_TYPES),
            (
                "externalUserType",
                u.external_user_type.as_deref(),
                &external,
            ),
            ("riskLevel", u.risk_level.as_deref(), RISK_LEVELS),
        ];
        for (key, value, set) in fields {
            if let Some(Err(message)) = value.map(|v| in_set(v, set)) {
                self.rejected.push(Rejection {
                    origin: self.origin.clone().with_path(json_child(path, key)),
                    message,
                });
            }
        }
    }

    /// Device values outside their sets would make a filter rule compare against a value
    /// Entra never holds: each is an error, as for users.
    fn check_device_sets(&mut self, d: &DirDevice, path: &str) {
        let fields: [(&str, Option<&str>, &[&str]); 3] = [
            ("trustType", d.trust_type.as_deref(), TRUST_TYPES),
            ("deviceOwnership", d.device_ownership.as_deref(), OWNERSHIPS),
            ("profileType", d.profile_type.as_deref(), PROFILE_TYPES),
        ];
        for (key, value, set) in fields {
            if let Some(Err(message)) = value.map(|v| in_set(v, set)) {
                self.rejected.push(Rejection {
                    origin: self.origin.clone().with_path(json_child(path, key)),
                    message,
                });
            }
        }
        // Filter rules know extensionAttribute1…15 only (concept-condition-filters-for-devices.md,
        // "Supported operators and device properties for filters").
        for key in d.extension_attributes.keys() {
            let ok = key
                .strip_prefix("extensionAttribute")
                .and_then(|n| n.parse::<u8>().ok())
                .is_some_and(|n| (1..=15).contains(&n));
            if !ok {
                self.rejected.push(Rejection {
                    origin: self
                        .origin
                        .clone()
                        .with_path(json_child(&json_child(path, "extensionAttributes"), key)),
                    message: format!(
                        "{key:?} is not one of extensionAttribute1 … extensionAttribute15"
                    ),
                });
            }
        }
    }

    /// One `memberOf` entry: a group id string, or a group / directoryRole object.
    fn membership(
        &self,
        e: Value,
        path: &str,
        groups: &mut Vec<String>,
        roles: &mut Vec<String>,
    ) -> Result<(), PolicyError> {
        match e {
            Value::String(s) => groups.push(s),
            Value::Object(m) => {
                let t = m
                    .get("@odata.type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let str_of = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
                if t.ends_with(".directoryrole")
                    || (t.is_empty() && m.contains_key("roleTemplateId"))
                {
                    match str_of("roleTemplateId") {
                        Some(r) => roles.push(r),
                        None => {
                            return Err(self.err(
                                &json_child(path, "roleTemplateId"),
                                "directory role without `roleTemplateId` (CA matches template ids)",
                            ))
                        }
                    }
                } else if t.is_empty() || t.ends_with(".group") {
                    match str_of("id") {
                        Some(g) => groups.push(g),
                        None => return Err(self.err(&json_child(path, "id"), "group without `id`")),
                    }
                }
                // administrativeUnit and other directory objects do not matter to CA.
            }
            other => {
                return Err(self.err(
                    path,
                    format!(
                        "expected a group id or a group object, found {}",
                        type_name(&other)
                    ),
                ))
            }
        }
        Ok(())
    }

    fn member_id(&self, e: Value, path: &str) -> Result<String, PolicyError> {
        match e {
            Value::String(s) => Ok(s),
            Value::Object(m) => match m.get("id") {
                Some(Value::String(s)) => Ok(s.clone()),
                _ => Err(self.err(&json_child(path, "id"), "member without `id`")),
            },
            other => Err(self.err(
                path,
                format!(
                    "expected a member id or object, found {}",
                    type_name(&other)
                ),
            )),
        }
    }

    fn add_user(&mut self, user: DirUser) {
        let key = user.id.trim().to_ascii_lowercase();
        match self.users.get_mut(&key) {
            Some(u) => {
                u.groups.extend(user.groups);
                u.roles.extend(user.roles);
                u.eligible_roles.extend(user.eligible_roles);
                macro_rules! fill {
                    ($($f:ident),*) => {$( if u.$f.is_none() { u.$f = user.$f; } )*};
                }
                fill!(
                    user_principal_name,
                    display_name,
                    user_type,
                    external_user_type,
                    home_tenant_id,
                    tap_is_usable_once,
                    tou_accepted,
                    risk_level
                );
            }
            None => {
                self.users.insert(key, user);
            }
        }
    }

    fn finish(mut self) -> DirectoryFile {
        for (uid, role) in std::mem::take(&mut self.role_members) {
            self.add_user(DirUser {
                id: uid,
                roles: vec![role],
                ..DirUser::default()
            });
        }
        let dedup = |v: &mut Vec<String>| {
            let mut seen = std::collections::BTreeSet::new();
            v.retain(|s| seen.insert(s.trim().to_ascii_lowercase()));
        };
        let mut users: Vec<DirUser> = self.users.into_values().collect();
        for u in &mut users {
            dedup(&mut u.groups);
            dedup(&mut u.roles);
        }
        DirectoryFile {
            tenant_id: self.tenant_id,
            users,
            groups: self.groups.into_values().collect(),
            service_principals: self.sps,
            devices: self.devices,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<DirectoryFile, PolicyError> {
        parse_directory_str(t, &Origin::file("d.json"))
    }

    #[test]
    fn graph_shapes_combined() {
        let f = parse(
            r##"{"users":{"@odata.context":"x","value":[
                {"id":"U1","userPrincipalName":"a@x","userType":"Member",
                 "memberOf":[{"@odata.type":"#microsoft.graph.group","id":"g1"},
                             {"@odata.type":"#microsoft.graph.directoryRole","id":"inst","roleTemplateId":"r-ga"}]}]},
               "groups":[{"id":"g2","members":[{"@odata.type":"#microsoft.graph.group","id":"g1"}]}],
               "directoryRoles":[{"id":"i2","roleTemplateId":"r-sec","members":[{"id":"u1"},{"id":"u9"}]}],
               "servicePrincipals":[{"id":"sp1","appId":"app"}]}"##,
        );
        let f = f.unwrap_or_default();
        let d = Directory::from_file(f);
        let g = d.transitive_groups("u1").cloned().unwrap_or_default();
        assert!(g.contains("g1") && g.contains("g2"));
        let roles = d.active_roles("u1").map(|r| r.to_vec()).unwrap_or_default();
        assert_eq!(roles, vec!["r-ga", "r-sec"]);
        assert!(d.user("u9").is_some());
        assert!(d.service_principal("SP1").is_some());
    }

    #[test]
    fn errors_name_the_path() {
        let e = parse(r#"{"users":[{"id":"u1"},{"userPrincipalName":"b@x"}]}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(e, "d.json: $.users[1].id: missing object id (`id`)");
        let e = parse(r#"{"users":[{"id":"u1","groups":"g1"}]}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("d.json: $.users[0].groups: invalid type"),
            "{e}"
        );
        let e = parse(r#"{"directoryRoles":[{"id":"x","members":[]}]}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("$.directoryRoles[0].roleTemplateId"), "{e}");
        assert!(parse("{\"a\":1}").is_err());
    }
}
