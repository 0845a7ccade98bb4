//! The cross-tenant access settings file (`crossTenantAccess.json`, README "Cross-tenant
//! access settings"). Accepted shapes, one or more JSON texts in one file:
//! * the default configuration (`GET /policies/crossTenantAccessPolicy/default`);
//! * a partner configuration, or a page / array of them
//!   (`GET /policies/crossTenantAccessPolicy/partners`);
//! * both in one object: `{"default": {…}, "partners": [… or a page]}` (also the policy
//!   object itself read with `$expand=default,partners`).
//!
//! Only `tenantId` and `inboundTrust` are read. Every problem is listed with its JSON path
//! and the file is refused (a configuration error, exit 2): a trust flag read wrong would
//! change answers silently.

use super::text;
use super::{describe_other, get_ci, json_child, json_index, type_name, PolicyError, Rejection};
use crate::diag::Origin;
use crate::policy::cross_tenant::{CrossTenantAccess, InboundTrust};
use serde_json::{Map, Value};
use std::path::Path;

/// Load the cross-tenant access settings file.
pub fn load_cross_tenant(path: &Path) -> Result<CrossTenantAccess, PolicyError> {
    let decoded = super::read_document(path)?;
    parse_cross_tenant_str(&decoded, &Origin::file(path))
}

/// Parse the settings from text; `origin` names the source in errors.
pub fn parse_cross_tenant_str(
    text: &str,
    origin: &Origin,
) -> Result<CrossTenantAccess, PolicyError> {
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
        return Err(PolicyError::Invalid {
            origin: origin.clone().with_path("$"),
            message: "empty file: no JSON value".into(),
        });
    }
    let mut b = Builder {
        origin: origin.clone(),
        out: CrossTenantAccess::default(),
        rejected: Vec::new(),
    };
    let many = texts.len() > 1;
    for t in texts {
        if many {
            b.origin.line = Some(t.line);
        }
        b.top(t.value, "$");
    }
    if b.rejected.is_empty() {
        Ok(b.out)
    } else {
        Err(PolicyError::Rejected {
            rejected: b.rejected,
        })
    }
}

struct Builder {
    origin: Origin,
    out: CrossTenantAccess,
    rejected: Vec<Rejection>,
}

impl Builder {
    fn reject(&mut self, path: &str, message: impl Into<String>) {
        self.rejected.push(Rejection {
            origin: self.origin.clone().with_path(path),
            message: message.into(),
        });
    }

    fn top(&mut self, v: Value, path: &str) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    self.top(item, &json_index(path, i));
                }
            }
            Value::Object(map) => self.object(map, path),
            other => self.reject(
                path,
                format!(
                    "expected a cross-tenant access configuration object, found {}",
                    type_name(&other)
                ),
            ),
        }
    }

    fn object(&mut self, map: Map<String, Value>, path: &str) {
        let has = |k: &str| get_ci(&map, k).is_some();
        let odata = get_ci(&map, "@odata.type")
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if has("default") || has("partners") {
            // The combined shape, or the policy object read with $expand.
            for (k, v) in map {
                let at = json_child(path, &k);
                if k.eq_ignore_ascii_case("default") {
                    match v {
                        Value::Object(m) => self.default(m, &at),
                        Value::Null => {}
                        other => self.reject(
                            &at,
                            format!(
                                "expected the default configuration object, found {}",
                                type_name(&other)
                            ),
                        ),
                    }
                } else if k.eq_ignore_ascii_case("partners") {
                    match v {
                        Value::Null => {}
                        Value::Object(_) | Value::Array(_) => self.partners(v, &at),
                        other => self.reject(
                            &at,
                            format!(
                                "expected a list of partner configurations, found {}",
                                type_name(&other)
                            ),
                        ),
                    }
                }
            }
        } else if let Some((key, Value::Array(_))) = get_ci(&map, "value") {
            // A Graph page of partner configurations.
            let key = key.clone();
            if let Some((k, items)) = map.into_iter().find(|(k, _)| *k == key) {
                self.partners(items, &json_child(path, &k));
            }
        } else if has("tenantId") || odata.ends_with("configurationpartner") {
            self.partner(map, path);
        } else if has("inboundTrust")
            || has("isServiceDefault")
            || odata.ends_with("configurationdefault")
        {
            self.default(map, path);
        } else {
            let what = describe_other(&map);
            self.reject(
                path,
                format!(
                    "not a cross-tenant access configuration (no `inboundTrust`, `tenantId`, \
                     `default` or `partners`): this is {what}"
                ),
            );
        }
    }

    fn partners(&mut self, v: Value, path: &str) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    let at = json_index(path, i);
                    match item {
                        Value::Object(m) => self.partner(m, &at),
                        other => self.reject(
                            &at,
                            format!(
                                "expected a partner configuration object, found {}",
                                type_name(&other)
                            ),
                        ),
                    }
                }
            }
            Value::Object(m) => match get_ci(&m, "value").map(|(k, _)| k.clone()) {
                Some(k) => {
                    let at = json_child(path, &k);
                    let items = m.into_iter().find(|(x, _)| *x == k).map(|(_, v)| v);
                    match items {
                        Some(items @ Value::Array(_)) => self.partners(items, &at),
                        _ => self.reject(&at, "expected an array of partner configurations"),
                    }
                }
                None => self.partner(m, path),
            },
            other => self.reject(
                path,
                format!(
                    "expected partner configurations, found {}",
                    type_name(&other)
                ),
            ),
        }
    }

    fn default(&mut self, map: Map<String, Value>, path: &str) {
        if self.out.default.is_some() {
            self.reject(
                path,
                "a second default configuration: give the tenant's default once",
            );
            return;
        }
        let trust = self.inbound(&map, path);
        // A default without `inboundTrust` (or null) trusts nothing it states: Unknown flags.
        self.out.default = Some(trust.unwrap_or_default());
    }

    fn partner(&mut self, map: Map<String, Value>, path: &str) {
        let tenant = match get_ci(&map, "tenantId") {
            Some((k, Value::String(s))) if !s.trim().is_empty() => {
                let _ = k;
                s.trim().to_ascii_lowercase()
            }
            Some((k, other)) => {
                let at = json_child(path, k);
                self.reject(
                    &at,
                    format!(
                        "expected the partner's tenant id (a string), found {}",
                        type_name(other)
                    ),
                );
                return;
            }
            None => {
                self.reject(path, "partner configuration without `tenantId`");
                return;
            }
        };
        let trust = self.inbound(&map, path);
        // A soft-deleted partner configuration (policyDeletableItem, `deletedDateTime`)
        // no longer applies: that tenant follows the default.
        let deleted = get_ci(&map, "deletedDateTime")
            .is_some_and(|(_, v)| v.as_str().is_some_and(|s| !s.trim().is_empty()));
        if deleted {
            self.out.deleted_partners.push(tenant);
            return;
        }
        if self.out.partners.contains_key(&tenant) {
            self.reject(path, format!("partner tenant {tenant} is configured twice"));
            return;
        }
        self.out.partners.insert(tenant, trust);
    }

    /// `inboundTrust` of a configuration: `None` when absent or null (inherit).
    fn inbound(&mut self, map: &Map<String, Value>, path: &str) -> Option<InboundTrust> {
        let (key, v) = get_ci(map, "inboundTrust")?;
        let at = json_child(path, key);
        let m = match v {
            Value::Null => return None,
            Value::Object(m) => m,
            other => {
                self.reject(
                    &at,
                    format!(
                        "expected an inboundTrust object, found {}",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        let mut flag = |name: &str| -> Option<bool> {
            match get_ci(m, name) {
                None | Some((_, Value::Null)) => None,
                Some((_, Value::Bool(b))) => Some(*b),
                Some((k, other)) => {
                    let p = json_child(&at, k);
                    let found = type_name(other);
                    self.reject(&p, format!("expected true, false or null, found {found}"));
                    None
                }
            }
        };
        Some(InboundTrust {
            mfa: flag("isMfaAccepted"),
            compliant_device: flag("isCompliantDeviceAccepted"),
            hybrid_joined_device: flag("isHybridAzureADJoinedDeviceAccepted"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<CrossTenantAccess, PolicyError> {
        parse_cross_tenant_str(s, &Origin::file("crossTenantAccess.json"))
    }

    #[test]
    fn graph_shapes() {
        let d = parse(
            r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity",
                "isServiceDefault":false,"inboundTrust":{"isMfaAccepted":true,"isCompliantDeviceAccepted":false,"isHybridAzureADJoinedDeviceAccepted":null}}"##,
        )
        .unwrap();
        assert_eq!(d.default.unwrap().mfa, Some(true));
        assert_eq!(d.default.unwrap().hybrid_joined_device, None);
        let p = parse(
            r##"{"@odata.context":"x","value":[{"tenantId":"AAA","inboundTrust":null},
                {"tenantId":"bbb","inboundTrust":{"isMfaAccepted":false}}]}"##,
        )
        .unwrap();
        assert!(p.default.is_none());
        assert_eq!(p.partners.get("aaa"), Some(&None));
        let both = parse(r#"{"default":{"inboundTrust":{"isMfaAccepted":false}},"partners":{"value":[{"tenantId":"ccc","inboundTrust":{"isMfaAccepted":true}}]}}"#).unwrap();
        assert_eq!(both.inbound("ccc").mfa, Some(true));
        assert_eq!(both.inbound("ddd").mfa, Some(false));
    }

    #[test]
    fn problems_name_the_json_path() {
        let e = parse(r#"{"default":{"inboundTrust":{"isMfaAccepted":"yes"}},"partners":[{"inboundTrust":null},{"tenantId":"a"},{"tenantId":"A"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("crossTenantAccess.json: $.default.inboundTrust.isMfaAccepted: expected true, false or null, found a string"), "{e}");
        assert!(
            e.contains("$.partners[0]: partner configuration without `tenantId`"),
            "{e}"
        );
        assert!(
            e.contains("$.partners[2]: partner tenant a is configured twice"),
            "{e}"
        );
        let e = parse(r#"{"displayName":"x"}"#).unwrap_err().to_string();
        assert!(e.contains("not a cross-tenant access configuration"), "{e}");
    }
}
