//! `tenantSettings.json` loader (shape in `policy::settings`). The file is small and every
//! key changes an answer, so anything unexpected stops the run naming file and JSON path:
//! a misspelt key read as "not configured" would change the answer silently.

use super::PolicyError;
use crate::diag::Origin;
use crate::policy::settings::{BaselineScopeTarget, TenantSettings};
use serde_json::Value;
use std::path::Path;

/// Load the tenant settings file.
pub fn load_tenant_settings(path: &Path) -> Result<TenantSettings, PolicyError> {
    let decoded = super::read_document(path)?;
    parse_tenant_settings_str(&decoded, &Origin::file(path))
}

fn invalid(origin: &Origin, path: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        origin: origin.clone().with_path(path),
        message: message.into(),
    }
}

/// Parse the tenant settings from text; `origin` names the source in errors.
pub fn parse_tenant_settings_str(
    text: &str,
    origin: &Origin,
) -> Result<TenantSettings, PolicyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let v: Value = serde_json::from_str(text).map_err(|e| PolicyError::Invalid {
        origin: Origin {
            line: Some(e.line() as u64),
            ..origin.clone()
        },
        message: format!("invalid JSON: {e}"),
    })?;
    let Value::Object(top) = v else {
        return Err(invalid(origin, "$", "expected an object"));
    };
    let mut out = TenantSettings::default();
    for (k, v) in top {
        match k.as_str() {
            "baselineScopes" => out.baseline_scopes = baseline_scopes(&v, origin)?,
            other => {
                return Err(invalid(
                    origin,
                    &format!("$.{other}"),
                    "unknown setting (known: baselineScopes)",
                ))
            }
        }
    }
    Ok(out)
}

fn baseline_scopes(v: &Value, origin: &Origin) -> Result<BaselineScopeTarget, PolicyError> {
    let obj = match v {
        Value::Null => return Ok(BaselineScopeTarget::NotConfigured),
        Value::Object(o) => o,
        _ => {
            return Err(invalid(
                origin,
                "$.baselineScopes",
                "expected an object {\"targetResource\": \"default\" | \"<app id>\"} or null",
            ))
        }
    };
    if let Some(k) = obj.keys().find(|k| k.as_str() != "targetResource") {
        return Err(invalid(
            origin,
            &format!("$.baselineScopes.{k}"),
            "unknown key (known: targetResource)",
        ));
    }
    let path = "$.baselineScopes.targetResource";
    match obj.get("targetResource") {
        None | Some(Value::Null) => Ok(BaselineScopeTarget::NotConfigured),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("default") => {
            Ok(BaselineScopeTarget::Default)
        }
        Some(Value::String(s)) if uuid::Uuid::parse_str(s.trim()).is_ok() => {
            Ok(BaselineScopeTarget::Custom(s.trim().to_ascii_lowercase()))
        }
        Some(other) => Err(invalid(
            origin,
            path,
            format!("expected \"default\" or an app id (GUID), got {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<TenantSettings, String> {
        parse_tenant_settings_str(s, &Origin::file("t.json")).map_err(|e| e.to_string())
    }

    #[test]
    fn shapes() {
        assert_eq!(
            parse(r#"{"baselineScopes": {"targetResource": "Default"}}"#)
                .map(|s| s.baseline_scopes),
            Ok(BaselineScopeTarget::Default)
        );
        assert_eq!(
            parse(
                r#"{"baselineScopes": {"targetResource": "DDDDDDDD-0000-4000-8000-000000000001"}}"#
            )
            .map(|s| s.baseline_scopes),
            Ok(BaselineScopeTarget::Custom(
                "dddddddd-0000-4000-8000-000000000001".into()
            ))
        );
        assert_eq!(
            parse("{}").map(|s| s.baseline_scopes),
            Ok(BaselineScopeTarget::NotConfigured)
        );
        let e = parse(r#"{"baselineScopes": {"targetResource": "legacy"}}"#).unwrap_err();
        assert!(e.contains("$.baselineScopes.targetResource"), "{e}");
        let e = parse(r#"{"baselineScope": {}}"#).unwrap_err();
        assert!(e.contains("$.baselineScope"), "{e}");
    }
}
