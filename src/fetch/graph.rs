//! The configuration parts of a tenant folder from Microsoft Graph, written in the shapes
//! the loaders read (README "Tenant folder layout"), and the directory snapshot of the
//! users, groups, service principals and devices the policies and the logs name.

use super::auth::Secret;
use super::error::FetchError;
use super::http::{encode, Endpoint, Http};
use super::signins::{next_link, page_values};
use super::write;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const GRAPH: &str = "Microsoft Graph";

pub const POLICIES: Endpoint = Endpoint {
    name: "conditional access policies",
    permission: "Policy.Read.All",
    doc: "https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies?view=graph-rest-beta",
    resource: GRAPH,
};
pub const NAMED_LOCATIONS: Endpoint = Endpoint {
    name: "named locations",
    permission: "Policy.Read.All",
    doc: "https://learn.microsoft.com/graph/api/conditionalaccessroot-list-namedlocations?view=graph-rest-beta",
    resource: GRAPH,
};
pub const STRENGTHS: Endpoint = Endpoint {
    name: "authentication strengths",
    permission: "Policy.Read.All",
    doc: "https://learn.microsoft.com/graph/api/authenticationstrengthroot-list-policies",
    resource: GRAPH,
};
pub const CROSS_TENANT: Endpoint = Endpoint {
    name: "cross-tenant access settings",
    permission: "Policy.Read.All",
    doc: "https://learn.microsoft.com/graph/api/crosstenantaccesspolicy-list-partners",
    resource: GRAPH,
};
pub const USERS: Endpoint = Endpoint {
    name: "users",
    permission: "User.Read.All",
    doc: "https://learn.microsoft.com/graph/api/user-get",
    resource: GRAPH,
};
pub const MEMBER_OF: Endpoint = Endpoint {
    name: "users' transitive groups and roles",
    permission: "User.Read.All and GroupMember.Read.All (or Directory.Read.All)",
    doc: "https://learn.microsoft.com/graph/api/user-list-transitivememberof",
    resource: GRAPH,
};
pub const GROUPS: Endpoint = Endpoint {
    name: "groups",
    permission: "GroupMember.Read.All (or Directory.Read.All)",
    doc: "https://learn.microsoft.com/graph/api/group-get",
    resource: GRAPH,
};
pub const SERVICE_PRINCIPALS: Endpoint = Endpoint {
    name: "service principals",
    permission: "Application.Read.All (or Directory.Read.All)",
    doc: "https://learn.microsoft.com/graph/api/serviceprincipal-list",
    resource: GRAPH,
};
pub const DEVICES: Endpoint = Endpoint {
    name: "devices",
    permission: "Device.Read.All (or Directory.Read.All)",
    doc: "https://learn.microsoft.com/graph/api/device-list",
    resource: GRAPH,
};

pub struct Graph<'a> {
    pub http: &'a Http<'a>,
    pub token: &'a Secret,
    /// `https://graph.microsoft.com` or a national cloud's.
    pub base: &'a str,
    pub dir: &'a Path,
    pub progress: &'a (dyn Fn(&str) + Sync),
}

/// Counts for the closing summary.
#[derive(Debug, Default, Clone)]
pub struct ConfigCounts {
    pub policies: usize,
    pub locations: usize,
    pub strengths: usize,
    pub partners: usize,
}

impl Graph<'_> {
    /// Every item of a collection, following `@odata.nextLink`.
    fn all(&self, url: &str, what: &Endpoint) -> Result<Vec<Value>, FetchError> {
        let mut items = Vec::new();
        let mut url = url.to_string();
        loop {
            let page = self.http.get_json(&url, self.token, what)?;
            items.extend(page_values(&page, &url)?);
            match next_link(&page, self.base, &url)? {
                Some(n) => url = n,
                None => return Ok(items),
            }
        }
    }

    /// One object, or `None` when Graph says it does not exist (404).
    fn one(&self, url: &str, what: &Endpoint) -> Result<Option<Value>, FetchError> {
        match self.http.get_json(url, self.token, what) {
            Ok(v) => Ok(Some(v)),
            Err(FetchError::Http { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Policies, named locations, authentication strengths, cross-tenant access settings.
    pub fn config(&self) -> Result<ConfigCounts, FetchError> {
        let b = self.base;
        // Beta: it carries the conditions v1.0 does not have yet (agents, insider risk,
        // authentication flows), which careplay evaluates; careplay reads both versions.
        let policies = self.all(
            &format!("{b}/beta/identity/conditionalAccess/policies"),
            &POLICIES,
        )?;
        write_policies(&self.dir.join("policies"), &policies)?;
        (self.progress)(&format!("policies: {}", policies.len()));

        let locations = self.all(
            &format!("{b}/beta/identity/conditionalAccess/namedLocations"),
            &NAMED_LOCATIONS,
        )?;
        write::json(
            &self.dir.join("namedLocations.json"),
            &json!({ "value": locations }),
        )?;
        (self.progress)(&format!("named locations: {}", locations.len()));

        // v1.0 `GET /policies/authenticationStrengthPolicies`: built-in and custom.
        let strengths = self.all(
            &format!("{b}/v1.0/policies/authenticationStrengthPolicies"),
            &STRENGTHS,
        )?;
        write::json(
            &self.dir.join("authenticationStrengths.json"),
            &json!({ "value": strengths }),
        )?;
        (self.progress)(&format!("authentication strengths: {}", strengths.len()));

        // GET /policies/crossTenantAccessPolicy/default and …/partners
        // (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-get).
        let mut default = self.http.get_json(
            &format!("{b}/v1.0/policies/crossTenantAccessPolicy/default"),
            self.token,
            &CROSS_TENANT,
        )?;
        if let Value::Object(m) = &mut default {
            m.retain(|k, _| !k.starts_with("@odata.context"));
        }
        let partners = self.all(
            &format!("{b}/v1.0/policies/crossTenantAccessPolicy/partners"),
            &CROSS_TENANT,
        )?;
        let n_partners = partners.len();
        write::json(
            &self.dir.join(crate::replay::tenant::CROSS_TENANT_FILE),
            &json!({ "default": default, "partners": partners }),
        )?;
        (self.progress)(&format!(
            "cross-tenant access: default + {n_partners} partners"
        ));
        Ok(ConfigCounts {
            policies: policies.len(),
            locations: locations.len(),
            strengths: strengths.len(),
            partners: n_partners,
        })
    }

    /// `directory.json` for `wanted`.
    pub fn directory(&self, wanted: &Wanted) -> Result<DirectoryCounts, FetchError> {
        let b = self.base;
        let mut counts = DirectoryCounts::default();
        let mut users = Vec::new();
        for (i, id) in wanted.users.iter().enumerate() {
            if i > 0 && i % 100 == 0 {
                (self.progress)(&format!("users: {i} of {}", wanted.users.len()));
            }
            let url = format!(
                "{b}/v1.0/users/{}?$select=id,userPrincipalName,displayName,userType,\
                 creationType,externalUserState,identities",
                encode(id)
            );
            let Some(u) = self.one(&url, &USERS)? else {
                counts.users_missing += 1;
                continue;
            };
            let member_of = self.all(
                &format!("{b}/v1.0/users/{}/transitiveMemberOf", encode(id)),
                &MEMBER_OF,
            )?;
            users.push(user_entry(&u, &member_of, wanted.home_tenants.get(id)));
        }
        counts.users = users.len();
        (self.progress)(&format!(
            "users: {} ({} the logs or policies name were not found)",
            counts.users, counts.users_missing
        ));
        let mut groups = Vec::new();
        for id in &wanted.groups {
            let url = format!("{b}/v1.0/groups/{}?$select=id,displayName", encode(id));
            match self.one(&url, &GROUPS)? {
                Some(g) => groups.push(pick(&g, &["id", "displayName"])),
                None => counts.groups_missing += 1,
            }
        }
        counts.groups = groups.len();
        let sps = self.all(
            &format!(
                "{b}/v1.0/servicePrincipals?$select=id,appId,displayName,appOwnerOrganizationId&$top=999"
            ),
            &SERVICE_PRINCIPALS,
        )?;
        counts.service_principals = sps.len();
        (self.progress)(&format!("service principals: {}", sps.len()));
        let mut devices = Vec::new();
        for id in &wanted.devices {
            let filter = format!("deviceId eq '{}'", id.replace('\'', "''"));
            let url = format!(
                "{b}/v1.0/devices?$filter={}&$select={DEVICE_FIELDS}",
                encode(&filter)
            );
            let found = self.all(&url, &DEVICES)?;
            match found.into_iter().next() {
                Some(d) => devices.push(pick(&d, &DEVICE_FIELDS.split(',').collect::<Vec<_>>())),
                None => counts.devices_missing += 1,
            }
        }
        counts.devices = devices.len();
        (self.progress)(&format!("devices: {}", devices.len()));
        let sps: Vec<Value> = sps
            .iter()
            .map(|s| pick(s, &["id", "appId", "displayName", "appOwnerOrganizationId"]))
            .collect();
        write::json(
            &self.dir.join("directory.json"),
            &json!({
                "tenantId": wanted.tenant_id,
                "users": users,
                "groups": groups,
                "servicePrincipals": sps,
                "devices": devices,
            }),
        )?;
        Ok(counts)
    }
}

/// The device properties filter-for-devices rules and device grants read
/// (https://learn.microsoft.com/graph/api/resources/device).
const DEVICE_FIELDS: &str = "deviceId,displayName,manufacturer,model,operatingSystem,\
operatingSystemVersion,enrollmentProfileName,deviceOwnership,isCompliant,isManaged,mdmAppId,\
profileType,trustType,extensionAttributes,physicalIds,systemLabels";

#[derive(Debug, Default, Clone)]
pub struct DirectoryCounts {
    pub users: usize,
    pub users_missing: usize,
    pub groups: usize,
    pub groups_missing: usize,
    pub service_principals: usize,
    pub devices: usize,
    pub devices_missing: usize,
}

/// What the directory snapshot must cover.
#[derive(Debug, Default, Clone)]
pub struct Wanted {
    pub tenant_id: Option<String>,
    /// User object ids (the logs' `userId`, the policies' user ids).
    pub users: BTreeSet<String>,
    /// Group ids the policies name.
    pub groups: BTreeSet<String>,
    /// `deviceDetail.deviceId` values of the logs.
    pub devices: BTreeSet<String>,
    /// user id -> `homeTenantId` the logs carry.
    pub home_tenants: BTreeMap<String, String>,
}

fn pick(v: &Value, keys: &[&str]) -> Value {
    let mut m = Map::new();
    for k in keys {
        if let Some(x) = v.get(*k) {
            m.insert((*k).to_string(), x.clone());
        }
    }
    Value::Object(m)
}

/// One user of `directory.json`: Graph's own fields, the external user type derived from
/// them, the home tenant the logs carry, and the transitive groups and active roles.
fn user_entry(u: &Value, member_of: &[Value], home: Option<&String>) -> Value {
    let mut m = match pick(u, &["id", "userPrincipalName", "displayName", "userType"]) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.insert(
        "externalUserType".into(),
        external_user_type(u).map_or(Value::Null, |t| Value::String(t.into())),
    );
    m.insert(
        "homeTenantId".into(),
        home.map_or(Value::Null, |h| Value::String(h.clone())),
    );
    // transitiveMemberOf lists groups, directory roles (active assignments: PIM-eligible
    // roles are not there) and administrative units; the loader keeps groups and roles.
    let entries: Vec<Value> = member_of
        .iter()
        .map(|e| pick(e, &["@odata.type", "id", "displayName", "roleTemplateId"]))
        .collect();
    m.insert("transitiveMemberOf".into(), Value::Array(entries));
    Value::Object(m)
}

/// Conditional Access's guest or external user type from the user object, when Graph's
/// fields decide it (concept-conditional-access-users-groups.md "External users";
/// https://learn.microsoft.com/entra/external-id/user-properties): an external account
/// (`#EXT#` in the UPN, `creationType` Invitation, an `externalUserState`, or an identity
/// issued by ExternalAzureAD / MicrosoftAccount / mail) with userType Guest is a B2B
/// collaboration guest, with Member a B2B collaboration member; a Guest without one is an
/// internal guest. Anything else is left null (a member of this tenant, or Unknown when
/// the logs do not say).
pub fn external_user_type(u: &Value) -> Option<&'static str> {
    let s = |k: &str| u.get(k).and_then(Value::as_str);
    let user_type = s("userType")?;
    let external = s("userPrincipalName").is_some_and(|p| p.to_ascii_uppercase().contains("#EXT#"))
        || s("creationType").is_some_and(|c| c.eq_ignore_ascii_case("Invitation"))
        || s("externalUserState").is_some()
        || u.get("identities")
            .and_then(Value::as_array)
            .is_some_and(|ids| {
                ids.iter().any(|i| {
                    i.get("issuer").and_then(Value::as_str).is_some_and(|iss| {
                        ["ExternalAzureAD", "MicrosoftAccount", "mail"]
                            .iter()
                            .any(|x| iss.eq_ignore_ascii_case(x))
                    })
                })
            });
    match (user_type.to_ascii_lowercase().as_str(), external) {
        ("guest", true) => Some("b2bCollaborationGuest"),
        ("member", true) => Some("b2bCollaborationMember"),
        ("guest", false) => Some("internalGuest"),
        _ => None,
    }
}

/// Replace `policies/` with one file per policy (`<id>.json`): built beside it and swapped
/// in, so a failed fetch keeps the previous policies and a policy deleted in the tenant
/// disappears from the folder.
fn write_policies(dir: &Path, policies: &[Value]) -> Result<(), FetchError> {
    let parent = dir.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".careplay-policies-")
        .tempdir_in(parent)
        .map_err(|e| FetchError::io(parent, e))?;
    for (i, p) in policies.iter().enumerate() {
        let id = p.get("id").and_then(Value::as_str).unwrap_or("");
        let safe: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let name = if safe.is_empty() {
            format!("policy-{:04}.json", i + 1)
        } else {
            format!("{safe}.json")
        };
        write::json(&tmp.path().join(name), p)?;
    }
    let old = parent.join(".careplay-policies-old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| FetchError::io(&old, e))?;
    }
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| FetchError::io(dir, e))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, dir).map_err(|e| FetchError::io(dir, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| FetchError::io(&old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_user_types() {
        let t = |v: Value| external_user_type(&v);
        assert_eq!(t(json!({"userType": "Member"})), None);
        assert_eq!(
            t(json!({"userType": "Guest", "userPrincipalName": "a_x.com#EXT#@t.onmicrosoft.com"})),
            Some("b2bCollaborationGuest")
        );
        assert_eq!(
            t(json!({"userType": "Member", "creationType": "Invitation"})),
            Some("b2bCollaborationMember")
        );
        assert_eq!(t(json!({"userType": "Guest"})), Some("internalGuest"));
        assert_eq!(
            t(json!({"userType": "Guest", "identities": [{"issuer": "ExternalAzureAD"}]})),
            Some("b2bCollaborationGuest")
        );
        assert_eq!(t(json!({"userPrincipalName": "a#EXT#@t"})), None);
    }
}
