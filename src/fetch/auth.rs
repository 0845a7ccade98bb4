//! Bearer tokens for Microsoft Graph and the Log Analytics query API.
//!
//! Sources, first that applies: a token file (`--token-file`, `--log-analytics-token-file`),
//! client credentials with a secret (`--client-id` + `--tenant-id`, secret from
//! `CAREPLAY_CLIENT_SECRET`; the OAuth 2.0 client credentials grant,
//! https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
//! an environment variable (`CAREPLAY_GRAPH_TOKEN`, `CAREPLAY_LOG_ANALYTICS_TOKEN`), then
//! `az account get-access-token --resource …` when the Azure CLI is on `PATH`
//! (https://learn.microsoft.com/cli/azure/account#az-account-get-access-token).
//! A token lives in a [`Secret`], whose `Debug` and `Display` never show it; it is sent in
//! the `Authorization` header only and never written or printed.

use super::error::FetchError;
use super::http::{Body, Endpoint, Http};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A bearer token or client secret. Printing it shows a placeholder.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
    /// The value, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

/// Environment variable holding the client secret of `--client-id`.
pub const CLIENT_SECRET_ENV: &str = "CAREPLAY_CLIENT_SECRET";
/// Environment variable holding a Graph bearer token.
pub const GRAPH_TOKEN_ENV: &str = "CAREPLAY_GRAPH_TOKEN";
/// Environment variable holding a Log Analytics bearer token.
pub const LOG_ANALYTICS_TOKEN_ENV: &str = "CAREPLAY_LOG_ANALYTICS_TOKEN";

/// How to get tokens.
#[derive(Debug, Clone, Default)]
pub struct AuthPlan {
    pub graph_token_file: Option<PathBuf>,
    pub log_analytics_token_file: Option<PathBuf>,
    /// `--client-id` (with `--tenant-id`): client credentials with a secret.
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    /// Login endpoint (`https://login.microsoftonline.com` or a national cloud's).
    pub login_url: String,
    /// Do not fall back to the Azure CLI.
    pub no_az: bool,
}

/// The API a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Graph,
    LogAnalytics,
}

impl Audience {
    fn env(self) -> &'static str {
        match self {
            Audience::Graph => GRAPH_TOKEN_ENV,
            Audience::LogAnalytics => LOG_ANALYTICS_TOKEN_ENV,
        }
    }
    fn flag(self) -> &'static str {
        match self {
            Audience::Graph => "--token-file",
            Audience::LogAnalytics => "--log-analytics-token-file",
        }
    }
}

const TOKEN_ENDPOINT: Endpoint = Endpoint {
    name: "token request (client credentials)",
    permission: "an app registration with a client secret, admin-consented application \
                 permissions, and the right --tenant-id",
    doc: "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow",
    resource: "the login endpoint",
};

/// A token for `resource` (the API's base URL, e.g. `https://graph.microsoft.com`).
pub fn token(
    plan: &AuthPlan,
    audience: Audience,
    resource: &str,
    http: &Http<'_>,
) -> Result<Secret, FetchError> {
    let file = match audience {
        Audience::Graph => &plan.graph_token_file,
        Audience::LogAnalytics => &plan.log_analytics_token_file,
    };
    if let Some(path) = file {
        return read_token_file(path);
    }
    if let Some(client_id) = &plan.client_id {
        return client_credentials(plan, client_id, resource, http);
    }
    if let Ok(t) = std::env::var(audience.env()) {
        let t = t.trim().to_string();
        if t.is_empty() {
            return Err(FetchError::Auth(format!(
                "{} is set but empty",
                audience.env()
            )));
        }
        return Ok(Secret(t));
    }
    if !plan.no_az {
        if let Some(az) = find_on_path("az") {
            return az_token(&az, plan.tenant_id.as_deref(), resource);
        }
    }
    Err(FetchError::Auth(format!(
        "no token for {resource}: give {flag} FILE, set {env}, use --client-id and --tenant-id \
         with the secret in {CLIENT_SECRET_ENV}, or install the Azure CLI and run `az login`",
        flag = audience.flag(),
        env = audience.env(),
    )))
}

/// A file holding the token, or the JSON `az account get-access-token` prints.
fn read_token_file(path: &Path) -> Result<Secret, FetchError> {
    let text = std::fs::read_to_string(path).map_err(|e| FetchError::io(path, e))?;
    let text = text.trim();
    let token = if text.starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|_| {
            FetchError::Auth(format!(
                "{}: not a token and not JSON with `accessToken`",
                path.display()
            ))
        })?;
        ["accessToken", "access_token"]
            .iter()
            .find_map(|k| v.get(k).and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| {
                FetchError::Auth(format!(
                    "{}: JSON without `accessToken` or `access_token`",
                    path.display()
                ))
            })?
    } else {
        text.to_string()
    };
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(FetchError::Auth(format!(
            "{}: empty, or more than one token",
            path.display()
        )));
    }
    Ok(Secret(token))
}

fn client_credentials(
    plan: &AuthPlan,
    client_id: &str,
    resource: &str,
    http: &Http<'_>,
) -> Result<Secret, FetchError> {
    let tenant = plan.tenant_id.as_deref().ok_or_else(|| {
        FetchError::Usage("--client-id needs --tenant-id (the directory of the app)".into())
    })?;
    let secret = std::env::var(CLIENT_SECRET_ENV).map_err(|_| {
        FetchError::Auth(format!(
            "--client-id needs the client secret in {CLIENT_SECRET_ENV} (certificate \
             credentials are not supported yet)"
        ))
    })?;
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        plan.login_url.trim_end_matches('/'),
        super::http::encode(tenant)
    );
    let scope = format!("{}/.default", resource.trim_end_matches('/'));
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret.as_str()),
        ("scope", scope.as_str()),
    ];
    let v = http.post_json(&url, None, Body::Form(&form), &TOKEN_ENDPOINT)?;
    v.get("access_token")
        .and_then(Value::as_str)
        .map(|t| Secret(t.to_string()))
        .ok_or_else(|| FetchError::Auth("the token endpoint answered without access_token".into()))
}

fn az_token(az: &Path, tenant: Option<&str>, resource: &str) -> Result<Secret, FetchError> {
    let mut cmd = std::process::Command::new(az);
    cmd.args([
        "account",
        "get-access-token",
        "--resource",
        resource,
        "--query",
        "accessToken",
        "--output",
        "tsv",
    ]);
    if let Some(t) = tenant {
        cmd.args(["--tenant", t]);
    }
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| FetchError::Auth(format!("cannot run {}: {e}", az.display())))?;
    if !out.status.success() {
        // az's stderr explains (`Please run 'az login'`); it holds no token.
        let why = String::from_utf8_lossy(&out.stderr);
        let why: String = why.split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(FetchError::Auth(format!(
            "`az account get-access-token --resource {resource}` failed ({}): {}",
            out.status,
            why.chars().take(300).collect::<String>()
        )));
    }
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(FetchError::Auth(
            "`az account get-access-token` printed no single token".into(),
        ));
    }
    Ok(Secret(token))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join(name), d.join(format!("{name}.cmd"))])
        .find(|p| p.is_file())
}

/// The `tid` claim of a JWT access token (the tenant it was issued in), if it is one.
/// Read locally: the token is not verified, only its tenant id is used, for
/// `directory.json`'s `tenantId`.
pub fn tenant_of(token: &Secret) -> Option<String> {
    let payload = token.0.split('.').nth(1)?;
    let bytes = base64url(payload)?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("tid").and_then(Value::as_str).map(str::to_string)
}

fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret("eyJ0.abc.def".into());
        assert_eq!(format!("{s:?}"), "Secret(<hidden>)");
    }

    #[test]
    fn tid_claim() {
        // {"tid":"t-1"} base64url, no padding.
        let t = Secret(format!("x.{}.y", "eyJ0aWQiOiJ0LTEifQ"));
        assert_eq!(tenant_of(&t).as_deref(), Some("t-1"));
        assert_eq!(tenant_of(&Secret("opaque".into())), None);
    }
}
