//! `conditionalAccessPolicy` documents in every shape seen in real exports (MANIFEST B.3):
//! single objects, arrays, Graph pages, concatenated texts, PascalCase PowerShell objects
//! (ScubaGear `conditional_access_policies`), IntuneManagement exports, CIPP table rows
//! (`{"JSON": "<policy as string>"}`), `PolicyConfig` wrappers and Microsoft's template
//! list (`value[].details`).

use super::normalize::{collapse_null_objects, normalize};
use super::references::bad_references;
use super::{
    describe_other, deserialize_at, get_ci, json_child, json_index, load_files, parse_str,
    type_name, PolicyError, Rejection, Sink, TextOrigin,
};
use crate::diag::Origin;
use crate::policy::model::Policy;
use serde_json::{Map, Value};
use std::path::PathBuf;

pub use super::FileSummary;

/// A policy and where it came from (file, line for multi-text files, JSON path).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub origin: Origin,
}

impl LoadedPolicy {
    /// Display name, else id, else the origin (for messages).
    pub fn label(&self) -> String {
        self.policy
            .display_name
            .clone()
            .or_else(|| self.policy.id.clone())
            .unwrap_or_else(|| self.origin.to_string())
    }
}

/// Everything read from the policy paths.
#[derive(Debug, Clone, Default)]
pub struct PolicyLoad {
    pub policies: Vec<LoadedPolicy>,
    pub rejected: Vec<Rejection>,
    pub files_read: usize,
    /// Per file: how many policy objects were parsed and rejected.
    pub files: Vec<FileSummary>,
}

/// Load policies from files, folders (recursive, `*.json`) and glob patterns.
/// Errors only for I/O (missing path, unreadable file); content problems are rejections.
pub fn load_policies(paths: &[PathBuf]) -> Result<PolicyLoad, PolicyError> {
    let loaded = load_files(paths, &mut |v, o, s| collect(v, "$".to_string(), o, s))?;
    Ok(PolicyLoad {
        policies: loaded.items,
        rejected: loaded.rejected,
        files_read: loaded.files.len(),
        files: loaded.files,
    })
}

/// Parse policies from a string; `origin` names the source in messages.
pub fn parse_policies_str(text: &str, origin: &Origin) -> (Vec<LoadedPolicy>, Vec<Rejection>) {
    parse_str(text, origin, &mut |v, o, s| {
        collect(v, "$".to_string(), o, s)
    })
}

/// Walk envelopes down to candidate policy objects.
fn collect(value: Value, path: String, origin: &TextOrigin, sink: &mut Sink<LoadedPolicy>) {
    let map = match value {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                collect(item, json_index(&path, i), origin, sink);
            }
            return;
        }
        Value::Object(map) => map,
        other => {
            sink.reject(
                origin.at(&path),
                format!(
                    "expected a conditionalAccessPolicy object (or an array / Graph page of \
                     them), found {}",
                    type_name(&other)
                ),
            );
            return;
        }
    };
    // Graph page: `value` plus only `@odata.*` / `@microsoft.graph.*` annotations.
    if let Some((key, Value::Array(_))) = get_ci(&map, "value") {
        if map.keys().all(|k| k == key || k.starts_with('@')) {
            let key = key.clone();
            if let Some(items) = map.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v) {
                collect(items, json_child(&path, &key), origin, sink);
            }
            return;
        }
    }
    for wrapper in ["conditional_access_policies", "PolicyConfig"] {
        if let Some((key, _)) = get_ci(&map, wrapper) {
            let key = key.clone();
            if let Some((_, inner)) = map.into_iter().find(|(k, _)| *k == key) {
                collect(inner, json_child(&path, &key), origin, sink);
            }
            return;
        }
    }
    // CIPP table row: the policy is a JSON string in `JSON`.
    if let Some((key, Value::String(inner))) = get_ci(&map, "JSON") {
        let inner_path = json_child(&path, key);
        match super::text::parse_texts(inner) {
            Err(e) => sink.reject(
                origin.at(&inner_path),
                format!(
                    "the policy JSON inside this string is invalid at its line {} column {}: {}",
                    e.line, e.column, e.message
                ),
            ),
            Ok(texts) => {
                for t in texts {
                    collect(t.value, inner_path.clone(), origin, sink);
                }
            }
        }
        return;
    }
    // Microsoft's template list: `{name, id, details: {conditions, grantControls, …}}`.
    if let (Some((dk, Value::Object(_))), Some((_, Value::String(_)))) =
        (get_ci(&map, "details"), get_ci(&map, "name"))
    {
        let details_path = json_child(&path, dk);
        template_to_policy(map, details_path, origin, sink);
        return;
    }
    candidate(map, path, origin, sink);
}

fn template_to_policy(
    map: Map<String, Value>,
    path: String,
    origin: &TextOrigin,
    sink: &mut Sink<LoadedPolicy>,
) {
    let mut name = None;
    let mut id = None;
    let mut details = Map::new();
    for (k, v) in map {
        match k.to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "id" => id = Some(v),
            "details" => {
                if let Value::Object(d) = v {
                    details = d;
                }
            }
            _ => {}
        }
    }
    if let Some(n) = name {
        details.entry("displayName").or_insert(n);
    }
    if let Some(i) = id {
        details.entry("templateId").or_insert(i);
    }
    candidate(details, path, origin, sink);
}

/// Is this (normalised) object a conditionalAccessPolicy? `Err` says what it is instead.
fn classify(map: &Map<String, Value>) -> Result<(), String> {
    if let Some(t) = map.get("@odata.type").and_then(Value::as_str) {
        if t.to_ascii_lowercase().ends_with("conditionalaccesspolicy") {
            return Ok(());
        }
    }
    let has = |k: &str| map.get(k).is_some();
    let conditions = matches!(map.get("conditions"), Some(Value::Object(_)));
    let policy_keys = [
        "displayName",
        "state",
        "grantControls",
        "sessionControls",
        "id",
    ];
    if conditions && policy_keys.iter().any(|k| has(k)) {
        return Ok(());
    }
    if has("displayName") && has("state") && (has("grantControls") || has("sessionControls")) {
        return Ok(()); // a policy missing `conditions`: kept, V1 reports it
    }
    let fragment_keys = [
        "conditions",
        "grantControls",
        "sessionControls",
        "users",
        "applications",
    ];
    if !map.is_empty() && map.keys().all(|k| fragment_keys.contains(&k.as_str())) {
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        return Err(format!(
            "a policy fragment (only `{}`): no displayName/state",
            keys.join("`, `")
        ));
    }
    Err(describe_other(map))
}

fn candidate(
    map: Map<String, Value>,
    path: String,
    origin: &TextOrigin,
    sink: &mut Sink<LoadedPolicy>,
) {
    let Value::Object(map) = normalize(Value::Object(map)) else {
        return;
    };
    if let Err(what) = classify(&map) {
        sink.reject(
            origin.at(&path),
            format!("not a conditionalAccessPolicy: this is {what}"),
        );
        return;
    }
    let value = collapse_policy(map);
    let bad = bad_references(&value);
    if let Some(first) = bad.first() {
        let mut msg = format!("template, not a deployable policy: {}", first.message);
        if bad.len() > 1 {
            let rest: Vec<String> = bad[1..]
                .iter()
                .take(4)
                .map(|b| format!("{path}{}", b.path))
                .collect();
            let more = if bad.len() > 5 { ", …" } else { "" };
            msg.push_str(&format!(" (also at {}{more})", rest.join(", ")));
        }
        sink.reject(origin.at(&format!("{path}{}", first.path)), msg);
        return;
    }
    match deserialize_at::<Policy>(value, &path) {
        Ok(policy) => sink.items.push(LoadedPolicy {
            policy,
            origin: origin.at(&path),
        }),
        Err((at, msg)) => sink.reject(origin.at(&at), msg),
    }
}

/// Collapse all-null sub-objects inside the policy (never the policy itself).
fn collapse_policy(map: Map<String, Value>) -> Value {
    Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, collapse_null_objects(v)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<LoadedPolicy>, Vec<Rejection>) {
        parse_policies_str(text, &Origin::file("p.json"))
    }

    const P: &str = r#"{"displayName":"a","state":"enabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}"#;

    #[test]
    fn shapes_single_array_page_concatenated() {
        assert_eq!(parse(P).0.len(), 1);
        assert_eq!(parse(&format!("[{P},{P}]")).0.len(), 2);
        let page = format!(r#"{{"@odata.context":"x","value":[{P},{P},{P}]}}"#);
        let (ok, _) = parse(&page);
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[2].origin.json_path.as_deref(), Some("$.value[2]"));
        let (ok, _) = parse(&format!("{P}\n{P}"));
        assert_eq!(ok[1].origin.line, Some(2));
    }

    #[test]
    fn cipp_string_and_wrappers() {
        let row = serde_json::json!({"PartitionKey": "x", "JSON": P}).to_string();
        assert_eq!(parse(&row).0.len(), 1);
        let w = format!(r#"{{"ExportDate":"d","PolicyConfig":{P}}}"#);
        assert_eq!(parse(&w).0.len(), 1);
        let scuba = format!(r#"{{"conditional_access_policies":{P}}}"#);
        assert_eq!(parse(&scuba).0.len(), 1);
    }

    #[test]
    fn pascal_case_and_empty_subobjects() {
        let t = r#"{"DisplayName":"x","State":"enabled","Conditions":{"Users":{"IncludeUsers":["All"],
          "ExcludeGuestsOrExternalUsers":{"ExternalTenants":{"MembershipKind":null},"GuestOrExternalUserTypes":null}},
          "Applications":{"IncludeApplications":["All"],"ApplicationFilter":{"Mode":null,"Rule":null}}},
          "GrantControls":{"BuiltInControls":["block"],"Operator":"OR"}}"#;
        let (ok, rej) = parse(t);
        assert!(rej.is_empty(), "{rej:?}");
        let c = ok[0].policy.conditions.clone().unwrap_or_default();
        let users = c.users.unwrap_or_default();
        assert_eq!(users.include_users, vec!["All"]);
        assert!(users.exclude_guests_or_external_users.is_none());
        assert!(c
            .applications
            .unwrap_or_default()
            .application_filter
            .is_none());
    }

    #[test]
    fn type_errors_name_the_path() {
        let t = r#"{"value":[{"displayName":"a","state":"on","conditions":{"users":{"includeUsers":"All"}}}]}"#;
        let (_, rej) = parse(t);
        assert_eq!(
            rej[0].origin.json_path.as_deref(),
            Some("$.value[0].conditions.users.includeUsers")
        );
        assert!(
            rej[0].message.contains("expected a sequence"),
            "{}",
            rej[0].message
        );
    }

    #[test]
    fn not_a_policy() {
        for (t, what) in [
            ("{}", "empty object"),
            (
                r#"{"error":{"code":"NotFound","message":"gone"}}"#,
                "Graph error",
            ),
            (
                r##"{"@odata.type":"#microsoft.graph.ipNamedLocation","ipRanges":[]}"##,
                "ipNamedLocation",
            ),
            (
                r#"{"GrantControls":{"BuiltInControls":["mfa"]}}"#,
                "fragment",
            ),
            ("42", "found a number"),
        ] {
            let (ok, rej) = parse(t);
            assert!(ok.is_empty());
            assert!(rej[0].message.contains(what), "{t}: {}", rej[0].message);
        }
    }
}
