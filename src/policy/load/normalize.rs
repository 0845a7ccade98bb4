//! Key normalisation before serde (policy-model.md §0 "Casing", "OData annotations"):
//! PascalCase PowerShell-SDK keys become Graph camelCase, `…@odata.*` annotations and
//! IntuneManagement `#microsoft.graph.*` action objects are dropped, `@odata.type` is kept
//! (it discriminates named locations and external tenants), and ScubaGear's all-null
//! sub-objects (`{"Mode": null, "Rule": null}`) become `null` like Graph sends them.

use serde_json::{Map, Value};

/// Graph property names careplay reads, so `displayname`, `DisplayName` and `displayName`
/// all land on the same field. Anything else only gets its first letter lower-cased.
const KNOWN_KEYS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "state",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
    "partialEnablementStrategy",
    "conditions",
    "grantControls",
    "sessionControls",
    "users",
    "clientApplications",
    "applications",
    "clientAppTypes",
    "platforms",
    "locations",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
    "devices",
    "deviceStates",
    "authenticationFlows",
    "times",
    "agents",
    "clients",
    "agentIdRiskLevels",
    "agentContext",
    "includeAgentIdServicePrincipals",
    "excludeAgentIdServicePrincipals",
    "agentIdServicePrincipalFilter",
    "includeAgentUsers",
    "excludeAgentUsers",
    "agentFilter",
    "includeAgentContexts",
    "excludeAgentContexts",
    "includeUsers",
    "excludeUsers",
    "includeGroups",
    "excludeGroups",
    "includeRoles",
    "excludeRoles",
    "includeGuestsOrExternalUsers",
    "excludeGuestsOrExternalUsers",
    "guestOrExternalUserTypes",
    "externalTenants",
    "membershipKind",
    "members",
    "includeServicePrincipals",
    "excludeServicePrincipals",
    "servicePrincipalFilter",
    "includeApplications",
    "excludeApplications",
    "includeUserActions",
    "includeAuthenticationContextClassReferences",
    "applicationFilter",
    "networkAccess",
    "globalSecureAccess",
    "mode",
    "rule",
    "includePlatforms",
    "excludePlatforms",
    "includeLocations",
    "excludeLocations",
    "deviceFilter",
    "includeDevices",
    "excludeDevices",
    "includeDeviceStates",
    "excludeDeviceStates",
    "includeStates",
    "excludeStates",
    "transferMethods",
    "operator",
    "builtInControls",
    "customAuthenticationFactors",
    "termsOfUse",
    "authenticationStrength",
    "policyType",
    "requirementsSatisfied",
    "allowedCombinations",
    "combinationConfigurations",
    "applicationEnforcedRestrictions",
    "cloudAppSecurity",
    "signInFrequency",
    "persistentBrowser",
    "continuousAccessEvaluation",
    "disableResilienceDefaults",
    "secureSignInSession",
    "ipRanges",
    "isTrusted",
    "cidrAddress",
    "countriesAndRegions",
    "includeUnknownCountriesAndRegions",
    "countryLookupMethod",
    "compliantNetworkType",
    "userPrincipalName",
    "userType",
    "externalUserType",
    "homeTenantId",
    "groups",
    "roles",
    "eligibleRoles",
    "tapIsUsableOnce",
    "touAccepted",
    "memberOf",
    "transitiveMemberOf",
    "servicePrincipals",
    "directoryRoles",
    "roleTemplateId",
    "appId",
    "appOwnerOrganizationId",
    "tenantId",
    "value",
    "isEnabled",
];

const ODATA_TYPE: &str = "@odata.type";

/// The Graph spelling of `key`, or `None` when the key is an annotation to drop.
pub fn canonical_key(key: &str) -> Option<String> {
    if key.eq_ignore_ascii_case(ODATA_TYPE) {
        return Some(ODATA_TYPE.to_string());
    }
    if key.starts_with('@') || key.starts_with('#') || key.contains("@odata.") {
        return None;
    }
    if let Some(known) = KNOWN_KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return Some((*known).to_string());
    }
    let mut chars = key.chars();
    Some(match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    })
}

/// Normalise keys recursively (see module doc). A key that appears twice after
/// normalisation (`GrantControls` next to `grantControls`) keeps the non-null value.
pub fn normalize(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let Some(key) = canonical_key(&k) else {
                    continue;
                };
                let v = normalize(v);
                match out.get(&key) {
                    Some(existing) if !existing.is_null() && v.is_null() => {}
                    _ => {
                        out.insert(key, v);
                    }
                }
            }
            derive_membership_kind(&mut out);
            Value::Object(out)
        }
        other => other,
    }
}

/// `conditionalAccessExternalTenants` is discriminated by `@odata.type`
/// (policy-model.md §3); fill `membershipKind` from it when missing.
fn derive_membership_kind(map: &mut Map<String, Value>) {
    let kind = match map.get(ODATA_TYPE).and_then(Value::as_str) {
        Some(t)
            if t.to_ascii_lowercase()
                .ends_with("conditionalaccessallexternaltenants") =>
        {
            "all"
        }
        Some(t)
            if t.to_ascii_lowercase()
                .ends_with("conditionalaccessenumeratedexternaltenants") =>
        {
            "enumerated"
        }
        _ => return,
    };
    if map.get("membershipKind").is_none_or(Value::is_null) {
        map.insert("membershipKind".into(), Value::String(kind.into()));
    }
}

/// Replace every object whose values are all `null` (after the same rewrite of its
/// children) by `null`. Only for values inside a policy: a top-level `{}` is a
/// "not a policy" error, not an empty policy.
pub fn collapse_null_objects(value: Value) -> Value {
    match value {
        // Array items keep their place: `[{"e": null}]` must not turn into `[null]`.
        Value::Array(items) => Value::Array(items.into_iter().map(collapse_children).collect()),
        Value::Object(map) => {
            let map = collapse_members(map);
            if !map.is_empty() && map.values().all(Value::is_null) {
                Value::Null
            } else {
                Value::Object(map)
            }
        }
        other => other,
    }
}

fn collapse_members(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| (k, collapse_null_objects(v)))
        .collect()
}

fn collapse_children(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(collapse_members(map)),
        other => collapse_null_objects(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pascal_case_and_annotations() {
        let v = normalize(json!({
            "DisplayName": "x", "displayname": null, "@odata.context": "c",
            "state@odata.type": "#t", "#microsoft.graph.restore": {"title": "r"},
            "Conditions": {"Users": {"IncludeUsers": ["All"], "@odata.type": "#u"}},
            "AdditionalProperties": {}
        }));
        assert_eq!(
            v,
            json!({"displayName": "x",
                   "conditions": {"users": {"includeUsers": ["All"], "@odata.type": "#u"}},
                   "additionalProperties": {}})
        );
    }

    #[test]
    fn membership_kind_from_odata_type() {
        let v = normalize(json!({"@odata.type":
            "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "members": ["t"]}));
        assert_eq!(v["membershipKind"], json!("enumerated"));
    }

    #[test]
    fn all_null_sub_objects_collapse() {
        let v = collapse_null_objects(json!({"a": {"Mode": null, "Rule": null},
            "b": {"x": {"y": null}, "z": null}, "c": {}, "d": [{"e": null}]}));
        assert_eq!(
            v,
            json!({"a": null, "b": null, "c": {}, "d": [{"e": null}]})
        );
    }
}
