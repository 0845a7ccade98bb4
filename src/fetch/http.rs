//! The one HTTP path of `careplay fetch`: a blocking `ureq` agent (rustls), bearer tokens
//! in a header only, and Microsoft Graph's documented retry behaviour.
//!
//! Throttling: Graph answers 429 (and some services 503) with a `Retry-After` header in
//! seconds; the client waits that long, else backs off exponentially
//! (https://learn.microsoft.com/graph/throttling, "Best practices to handle throttling").
//! 500/502/504 and dropped connections are transient and retried the same way. Every wait
//! is capped by [`Retry::max_wait`] (`--max-retry-wait`), which is also how tests keep
//! the waits short without changing the code path.

use super::auth::Secret;
use super::error::FetchError;
use serde_json::Value;
use std::time::Duration;

/// What an endpoint is, for progress and error messages: a 403 names `permission`.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// Short human name (`conditional access policies`).
    pub name: &'static str,
    /// The least-privileged permission (or role) that allows the call.
    pub permission: &'static str,
    /// The Microsoft doc page of the call.
    pub doc: &'static str,
    /// The token audience, named in a 401.
    pub resource: &'static str,
}

/// Retry policy.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// First backoff when the server gives no `Retry-After`; doubled per attempt.
    pub base: Duration,
    /// Cap on any single wait (`Retry-After` included).
    pub max_wait: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 6,
            base: Duration::from_secs(2),
            max_wait: Duration::from_secs(120),
        }
    }
}

/// A request body.
pub enum Body<'a> {
    Json(&'a Value),
    Form(&'a [(&'a str, &'a str)]),
}

/// The HTTP client: one agent, one retry policy, one progress sink.
pub struct Http<'p> {
    agent: ureq::Agent,
    retry: Retry,
    progress: &'p (dyn Fn(&str) + Sync),
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

/// Largest response body read (a Log Analytics answer can reach ~100 MB).
const BODY_LIMIT: u64 = 512 * 1024 * 1024;

impl<'p> Http<'p> {
    pub fn new(retry: Retry, progress: &'p (dyn Fn(&str) + Sync)) -> Http<'p> {
        let config = ureq::Agent::config_builder()
            // Status codes are handled here (429/503 retried, 403 named), not as errors.
            .http_status_as_error(false)
            // A redirect could carry the bearer token to another host: none is followed.
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_global(Some(Duration::from_secs(600)))
            .user_agent(concat!("careplay/", env!("CARGO_PKG_VERSION")))
            .build();
        Http {
            agent: config.new_agent(),
            retry,
            progress,
        }
    }

    /// GET a JSON document.
    pub fn get_json(
        &self,
        url: &str,
        token: &Secret,
        what: &Endpoint,
    ) -> Result<Value, FetchError> {
        let body = self.request(url, Some(token), None, what)?;
        parse_json(&body, url, what)
    }

    /// POST a body, read a JSON answer.
    pub fn post_json(
        &self,
        url: &str,
        token: Option<&Secret>,
        body: Body<'_>,
        what: &Endpoint,
    ) -> Result<Value, FetchError> {
        let text = self.request(url, token, Some(body), what)?;
        parse_json(&text, url, what)
    }

    /// One request with retries; the body of a 2xx answer.
    fn request(
        &self,
        url: &str,
        token: Option<&Secret>,
        body: Option<Body<'_>>,
        what: &Endpoint,
    ) -> Result<String, FetchError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts.max(1);
            match self.once(url, token, body.as_ref()) {
                Ok(a) if (200..300).contains(&a.status) => return Ok(a.body),
                Ok(a) if retryable(a.status) && !last => {
                    let wait = self.wait(attempt, a.retry_after);
                    (self.progress)(&format!(
                        "{}: HTTP {}, retry {attempt} in {:.1}s{}",
                        what.name,
                        a.status,
                        wait.as_secs_f64(),
                        a.retry_after
                            .map(|r| format!(" (Retry-After {}s)", r.as_secs()))
                            .unwrap_or_default()
                    ));
                    std::thread::sleep(wait);
                }
                Ok(a) => return Err(status_error(a, url, what)),
                Err(e) if !last => {
                    let wait = self.wait(attempt, None);
                    (self.progress)(&format!(
                        "{}: {e}, retry {attempt} in {:.1}s",
                        what.name,
                        wait.as_secs_f64()
                    ));
                    std::thread::sleep(wait);
                }
                Err(e) => {
                    return Err(FetchError::Transport {
                        endpoint: what.name.to_string(),
                        url: short_url(url),
                        message: format!("{e} (after {attempt} attempts)"),
                    })
                }
            }
        }
    }

    fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = self
            .retry
            .base
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16));
        retry_after.unwrap_or(backoff).min(self.retry.max_wait)
    }

    fn once(
        &self,
        url: &str,
        token: Option<&Secret>,
        body: Option<&Body<'_>>,
    ) -> Result<Answer, ureq::Error> {
        let auth = token.map(|t| format!("Bearer {}", t.expose()));
        let response = match body {
            None => {
                let mut r = self.agent.get(url).header("Accept", "application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            Some(b) => {
                let mut r = self.agent.post(url).header("Accept", "application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                match b {
                    Body::Json(v) => r
                        .header("Content-Type", "application/json")
                        .send(v.to_string()),
                    Body::Form(f) => r.send_form(f.iter().copied()),
                }
            }
        };
        let mut response = response?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// Throttled or transiently failing: worth another attempt.
fn retryable(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<f64>() {
        return (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(86_400.0)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds();
    Some(Duration::from_millis(secs.max(0) as u64))
}

fn parse_json(body: &str, url: &str, what: &Endpoint) -> Result<Value, FetchError> {
    serde_json::from_str(body).map_err(|e| FetchError::Shape {
        endpoint: what.name.to_string(),
        url: short_url(url),
        message: format!("not JSON ({e})"),
    })
}

/// ` (code: message)` from a Graph or Log Analytics error body, if any.
fn detail(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let err = v.get("error").unwrap_or(&Value::Null);
    // The token endpoint answers `{"error": "invalid_client", "error_description": …}`.
    let (code, message) = match err {
        Value::String(code) => (
            Some(code.as_str()),
            v.get("error_description").and_then(Value::as_str),
        ),
        _ => (
            err.get("code").and_then(Value::as_str),
            err.get("message").and_then(Value::as_str),
        ),
    };
    let text = match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        (None, Some(m)) => m.to_string(),
        (None, None) => return String::new(),
    };
    let mut text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 300 {
        text = text.chars().take(300).collect::<String>() + "…";
    }
    format!(", {text}")
}

fn status_error(a: Answer, url: &str, what: &Endpoint) -> FetchError {
    let detail = detail(&a.body);
    match a.status {
        401 => FetchError::Unauthorized {
            endpoint: what.name.to_string(),
            resource: what.resource.to_string(),
            detail,
        },
        403 => FetchError::Permission {
            endpoint: what.name.to_string(),
            permission: what.permission.to_string(),
            doc: what.doc.to_string(),
            detail,
        },
        status => FetchError::Http {
            endpoint: what.name.to_string(),
            url: short_url(url),
            status,
            detail,
        },
    }
}

/// A URL for a message: at most 200 characters.
pub(crate) fn short_url(url: &str) -> String {
    if url.chars().count() > 200 {
        url.chars().take(200).collect::<String>() + "…"
    } else {
        url.to_string()
    }
}

/// Percent-encode a query value (RFC 3986 unreserved characters kept).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn error_detail_from_graph_and_token_bodies() {
        assert_eq!(
            detail(
                r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#
            ),
            ", Authorization_RequestDenied: Insufficient privileges"
        );
        assert_eq!(
            detail(r#"{"error":"invalid_client","error_description":"AADSTS7000215: bad secret"}"#),
            ", invalid_client: AADSTS7000215: bad secret"
        );
        assert_eq!(detail("<html>"), "");
    }

    #[test]
    fn query_encoding() {
        assert_eq!(
            encode("createdDateTime ge 2026-01-01T00:00:00Z and x/any(t: t eq 'a')"),
            "createdDateTime%20ge%202026-01-01T00%3A00%3A00Z%20and%20x%2Fany%28t%3A%20t%20eq%20%27a%27%29"
        );
    }
}
