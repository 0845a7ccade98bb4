//! Template detection: where Graph expects an object id (GUID) or one of a few documented
//! keywords, templates carry placeholders (`<AdministratorGroup>`, `%msptenantid%`,
//! `REPLACE_WITH_…`, `xxxxxxxx-xxxx-…`) or display names (`Office 365`, a person's name).
//! Such a policy cannot be evaluated, so the loader rejects it and names the JSON path
//! (policy-model.md §0 "Special string values", §3, §4, §8; MANIFEST B.3 item 8).

use serde_json::Value;

/// One id-valued field of a policy: its path below the policy root, what the ids are,
/// and the keywords Graph accepts there besides GUIDs (compared case-insensitively).
struct IdField {
    path: &'static [&'static str],
    what: &'static str,
    keywords: &'static [&'static str],
}

const ID_FIELDS: &[IdField] = &[
    IdField {
        path: &["conditions", "users", "includeUsers"],
        what: "a user object id",
        keywords: &["All", "None", "GuestsOrExternalUsers", "AllAgentIdUsers"],
    },
    IdField {
        path: &["conditions", "users", "excludeUsers"],
        what: "a user object id",
        keywords: &["GuestsOrExternalUsers"],
    },
    IdField {
        path: &["conditions", "users", "includeGroups"],
        what: "a group object id",
        keywords: &[],
    },
    IdField {
        path: &["conditions", "users", "excludeGroups"],
        what: "a group object id",
        keywords: &[],
    },
    IdField {
        path: &["conditions", "users", "includeRoles"],
        what: "a directory role template id",
        keywords: &["All"],
    },
    IdField {
        path: &["conditions", "users", "excludeRoles"],
        what: "a directory role template id",
        keywords: &[],
    },
    IdField {
        path: &[
            "conditions",
            "users",
            "includeGuestsOrExternalUsers",
            "externalTenants",
            "members",
        ],
        what: "a tenant id",
        keywords: &[],
    },
    IdField {
        path: &[
            "conditions",
            "users",
            "excludeGuestsOrExternalUsers",
            "externalTenants",
            "members",
        ],
        what: "a tenant id",
        keywords: &[],
    },
    IdField {
        path: &["conditions", "applications", "includeApplications"],
        what: "an application (client) id",
        keywords: &[
            "All",
            "None",
            "Office365",
            "MicrosoftAdminPortals",
            "AllAgentIdResources",
        ],
    },
    IdField {
        path: &["conditions", "applications", "excludeApplications"],
        what: "an application (client) id",
        keywords: &["Office365", "MicrosoftAdminPortals"],
    },
    IdField {
        path: &["conditions", "locations", "includeLocations"],
        what: "a named location id",
        keywords: &["All", "AllTrusted", "AllCompliantNetworkLocations"],
    },
    IdField {
        path: &["conditions", "locations", "excludeLocations"],
        what: "a named location id",
        keywords: &["AllTrusted", "AllCompliantNetworkLocations"],
    },
    IdField {
        path: &[
            "conditions",
            "clientApplications",
            "includeServicePrincipals",
        ],
        what: "a service principal id",
        keywords: &["ServicePrincipalsInMyTenant"],
    },
    IdField {
        path: &[
            "conditions",
            "clientApplications",
            "excludeServicePrincipals",
        ],
        what: "a service principal id",
        keywords: &["ServicePrincipalsInMyTenant"],
    },
    IdField {
        path: &["grantControls", "termsOfUse"],
        what: "a terms-of-use agreement id",
        keywords: &[],
    },
    IdField {
        path: &["grantControls", "authenticationStrength", "id"],
        what: "an authentication strength id",
        keywords: &[],
    },
];

/// Fields whose values are not GUIDs but must not be template tokens either.
const TOKEN_FIELDS: &[&[&str]] = &[
    &[
        "conditions",
        "applications",
        "includeAuthenticationContextClassReferences",
    ],
    &["grantControls", "customAuthenticationFactors"],
];

/// A reference that cannot be an id: relative JSON path (from the policy root, `$`-less,
/// e.g. `.conditions.users.excludeGroups[0]`) and the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReference {
    pub path: String,
    pub message: String,
}

/// Every id-valued field of a normalised policy value that holds something other than a
/// GUID or a documented keyword.
pub fn bad_references(policy: &Value) -> Vec<BadReference> {
    let mut out = Vec::new();
    for field in ID_FIELDS {
        for (path, s) in strings_at(policy, field.path) {
            if field
                .keywords
                .iter()
                .any(|k| k.eq_ignore_ascii_case(s.trim()))
                || is_guid(s)
            {
                continue;
            }
            out.push(BadReference {
                path,
                message: describe(s, field.what),
            });
        }
    }
    for fpath in TOKEN_FIELDS {
        for (path, s) in strings_at(policy, fpath) {
            if let Some(kind) = placeholder_kind(s) {
                if !out.iter().any(|b| b.path == path) {
                    out.push(BadReference {
                        path,
                        message: format!("{s:?} is {kind}; fill in the template before loading"),
                    });
                }
            }
        }
    }
    out
}

/// Strings at `path` (a string or an array of strings), with their relative JSON paths.
fn strings_at<'v>(root: &'v Value, path: &[&str]) -> Vec<(String, &'v str)> {
    let mut cur = root;
    let mut p = String::new();
    for key in path {
        match cur.get(*key) {
            Some(v) => {
                cur = v;
                p.push('.');
                p.push_str(key);
            }
            None => return vec![],
        }
    }
    match cur {
        Value::String(s) => vec![(p, s.as_str())],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_str().map(|s| (format!("{p}[{i}]"), s)))
            .collect(),
        _ => vec![],
    }
}

/// `8-4-4-4-12` hexadecimal digits (the form Graph writes ids in).
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.trim().split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8usize, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What kind of template token `s` is, if it is one.
pub fn placeholder_kind(s: &str) -> Option<&'static str> {
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    if t.contains('<') && t.contains('>') {
        Some("a template placeholder (`<…>`)")
    } else if t.len() > 2 && t.starts_with('%') && t.ends_with('%') {
        Some("a template variable (`%…%`)")
    } else if upper.starts_with("REPLACE") || upper.contains("REPLACE_WITH") {
        Some("a template placeholder (`REPLACE…`)")
    } else if upper.starts_with("XXXXXXXX") || upper.contains("-XXXX-") {
        Some("a dummy GUID (`xxxxxxxx-…`)")
    } else if t.starts_with("{{") || t.starts_with("${") {
        Some("a template variable")
    } else {
        None
    }
}

fn describe(s: &str, what: &str) -> String {
    if let Some(kind) = placeholder_kind(s) {
        return format!("{s:?} is {kind}, not {what}; fill in the template before loading");
    }
    let t = s.trim();
    let hex_dash = !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let guid_shaped = t.split('-').map(str::len).eq([8usize, 4, 4, 4, 12]);
    if hex_dash || guid_shaped {
        format!("{s:?} is a malformed GUID; expected {what} in 8-4-4-4-12 hexadecimal form")
    } else if t.is_empty() {
        format!("empty string where {what} (GUID) is expected")
    } else {
        format!(
            "{s:?} looks like a display name, but Graph expects {what} (GUID) here; \
             resolve the name to its id"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guid_shape() {
        assert!(is_guid("62E90394-69f5-4237-9190-012177145e10"));
        assert!(!is_guid("777771e56-9667-66e7-b669-bf7777777a5d"));
        assert!(!is_guid("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"));
    }

    #[test]
    fn finds_each_kind_with_its_path() {
        let p = json!({"conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": ["William Overweg"],
                      "excludeGroups": ["<ExclusionTempGroup>", "%grp%"]},
            "applications": {"includeApplications": ["office365", "Office 365"]},
            "locations": {"excludeLocations": ["777771e56-9667-66e7-b669-bf7777777a5d"],
                          "includeLocations": ["REPLACE-WITH-ID"]}},
            "grantControls": {"authenticationStrength": {"id": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"}}});
        let bad = bad_references(&p);
        let paths: Vec<&str> = bad.iter().map(|b| b.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                ".conditions.users.excludeUsers[0]",
                ".conditions.users.excludeGroups[0]",
                ".conditions.users.excludeGroups[1]",
                ".conditions.applications.includeApplications[1]",
                ".conditions.locations.includeLocations[0]",
                ".conditions.locations.excludeLocations[0]",
                ".grantControls.authenticationStrength.id",
            ]
        );
        assert!(bad[0].message.contains("display name"));
        assert!(bad[1].message.contains("placeholder"));
        assert!(bad[5].message.contains("malformed GUID"));
        assert!(bad[6].message.contains("dummy GUID"));
    }
}
