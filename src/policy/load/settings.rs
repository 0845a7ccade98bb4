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
            "mfaTrustedIps" => out.mfa_trusted_ips = Some(mfa_trusted_ips(&v, origin)?),
            other => {
                return Err(invalid(
                    origin,
                    &format!("$.{other}"),
                    "unknown setting (known: baselineScopes, mfaTrustedIps)",
                ))
            }
        }
    }
    Ok(out)
}

/// `mfaTrustedIps`: IPv4 CIDR ranges or single addresses. A bad entry stops the run: read
/// as "no trusted IP", it would turn trusted sign-ins untrusted without a word.
fn mfa_trusted_ips(v: &Value, origin: &Origin) -> Result<Vec<ipnet::IpNet>, PolicyError> {
    let Value::Array(items) = v else {
        return Err(invalid(
            origin,
            "$.mfaTrustedIps",
            "expected an array of IPv4 ranges ([] = the tenant has none)",
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("$.mfaTrustedIps[{i}]");
        let Value::String(s) = item else {
            return Err(invalid(
                origin,
                &path,
                "expected a string such as \"203.0.113.0/24\"",
            ));
        };
        let s = s.trim();
        let net = s
            .parse::<ipnet::IpNet>()
            .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
            .map_err(|_| invalid(origin, &path, format!("`{s}` is not an IP range (CIDR)")))?;
        if !matches!(net, ipnet::IpNet::V4(_)) {
            return Err(invalid(
                origin,
                &path,
                format!("`{s}`: MFA trusted IPs are IPv4 only (https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network)"),
            ));
        }
        out.push(net.trunc());
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

    #[test]
    fn mfa_trusted_ips() {
        let ips = |s: &str| parse(s).map(|s| s.mfa_trusted_ips);
        assert_eq!(ips("{}"), Ok(None));
        assert_eq!(ips(r#"{"mfaTrustedIps": []}"#), Ok(Some(vec![])));
        assert_eq!(
            ips(r#"{"mfaTrustedIps": ["203.0.113.9/24", "198.51.100.7"]}"#),
            Ok(Some(vec![
                "203.0.113.0/24".parse().unwrap(),
                "198.51.100.7/32".parse().unwrap()
            ]))
        );
        for (bad, path) in [
            (
                r#"{"mfaTrustedIps": ["203.0.113.0/33"]}"#,
                "$.mfaTrustedIps[0]",
            ),
            (
                r#"{"mfaTrustedIps": ["10.0.0.0/8", "2001:db8::/32"]}"#,
                "$.mfaTrustedIps[1]",
            ),
            (r#"{"mfaTrustedIps": "10.0.0.0/8"}"#, "$.mfaTrustedIps"),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(path), "{bad}: {e}");
        }
    }
}
