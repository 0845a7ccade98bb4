//! Sign-ins from Microsoft Graph, one stream per kind, page by page into
//! `signins/graph-<kind>/page-NNNNNN.ndjson.gz`, resumable through [`super::state`].
//!
//! `GET /beta/auditLogs/signIns` with `$filter=createdDateTime ge … and createdDateTime lt …
//! and signInEventTypes/any(t: t eq '<kind>')`: v1.0 lists interactive sign-ins only; the
//! beta `signInEventTypes` filter selects interactiveUser, nonInteractiveUser,
//! servicePrincipal and managedIdentity (https://learn.microsoft.com/graph/api/signin-list?view=graph-rest-beta,
//! "Optional query parameters"). Paging follows `@odata.nextLink`
//! (https://learn.microsoft.com/graph/paging). Needs AuditLog.Read.All (and an Entra ID
//! P1 or P2 licence in the tenant).

use super::error::FetchError;
use super::http::{encode, Endpoint, Http};
use super::state::{self, State};
use super::write;
use super::{Kind, Window};
use crate::fetch::auth::Secret;
use serde_json::Value;
use std::path::Path;

pub const SIGNINS: Endpoint = Endpoint {
    name: "sign-in logs",
    permission: "AuditLog.Read.All (application or delegated; delegated also needs a role such \
                 as Reports Reader or Security Reader; the tenant needs Entra ID P1)",
    doc: "https://learn.microsoft.com/graph/api/signin-list?view=graph-rest-beta",
    resource: "Microsoft Graph",
};

/// Largest page Graph serves for sign-ins.
const PAGE_SIZE: u32 = 999;

pub struct GraphSignins<'a> {
    pub http: &'a Http<'a>,
    pub token: &'a Secret,
    pub graph: &'a str,
    pub dir: &'a Path,
    pub progress: &'a (dyn Fn(&str) + Sync),
}

impl GraphSignins<'_> {
    fn first_url(&self, kind: Kind, since: &str, upper: &str) -> String {
        let filter = format!(
            "createdDateTime ge {since} and {upper} and signInEventTypes/any(t: t eq '{}')",
            kind.graph_event_type()
        );
        format!(
            "{}/beta/auditLogs/signIns?$filter={}&$top={PAGE_SIZE}",
            self.graph,
            encode(&filter)
        )
    }

    /// Fetch every kind of `kinds` not yet complete in `st`, saving `st` after each page.
    pub fn run(&self, window: &Window, kinds: &[Kind], st: &mut State) -> Result<(), FetchError> {
        for &kind in kinds {
            self.stream(window, kind, st)?;
        }
        Ok(())
    }

    fn stream(&self, window: &Window, kind: Kind, st: &mut State) -> Result<(), FetchError> {
        let key = kind.folder("graph");
        let mut s = st.streams.get(&key).cloned().unwrap_or_default();
        if s.done {
            (self.progress)(&format!(
                "sign-ins ({}): complete in an earlier run ({} records)",
                kind.cli(),
                s.records
            ));
            return Ok(());
        }
        let upper = format!("createdDateTime lt {}", window.until);
        let mut resumed = s.next.is_some();
        let mut url = match &s.next {
            Some(n) => {
                (self.progress)(&format!(
                    "sign-ins ({}): resuming after page {} ({} records)",
                    kind.cli(),
                    s.pages,
                    s.records
                ));
                n.clone()
            }
            None => self.first_url(kind, &window.since, &upper),
        };
        loop {
            let page = match self.http.get_json(&url, self.token, &SIGNINS) {
                Ok(p) => p,
                // A stored nextLink can expire between runs: start again below the oldest
                // record written (records at that instant come twice; the loader keeps one
                // per (event type, id)).
                Err(FetchError::Http { status, .. })
                    if resumed && matches!(status, 400 | 404 | 410) && s.oldest.is_some() =>
                {
                    let oldest = s.oldest.clone().unwrap_or_default();
                    (self.progress)(&format!(
                        "sign-ins ({}): the saved nextLink was refused (HTTP {status}); \
                         continuing from {oldest}",
                        kind.cli()
                    ));
                    resumed = false;
                    url = self.first_url(
                        kind,
                        &window.since,
                        &format!("createdDateTime le {oldest}"),
                    );
                    continue;
                }
                Err(e) => return Err(e),
            };
            resumed = false;
            let records = page_values(&page, &url)?;
            if !records.is_empty() {
                let file = self
                    .dir
                    .join("signins")
                    .join(&key)
                    .join(format!("page-{:06}.ndjson.gz", s.pages + 1));
                write::ndjson_gz(&file, &records)?;
            }
            s.pages += 1;
            s.records += records.len() as u64;
            if let Some(o) = oldest(&records) {
                if s.oldest.as_deref().is_none_or(|prev| o.as_str() < prev) {
                    s.oldest = Some(o);
                }
            }
            let next = next_link(&page, self.graph, &url)?;
            s.done = next.is_none();
            s.next = next.clone();
            st.streams.insert(key.clone(), s.clone());
            state::save(self.dir, st)?;
            (self.progress)(&format!(
                "sign-ins ({}): page {}, {} records{}",
                kind.cli(),
                s.pages,
                s.records,
                s.oldest
                    .as_deref()
                    .map(|o| format!(", back to {o}"))
                    .unwrap_or_default()
            ));
            match next {
                Some(n) => url = n,
                None => return Ok(()),
            }
        }
    }
}

/// The `value` array of a Graph page.
pub fn page_values(page: &Value, url: &str) -> Result<Vec<Value>, FetchError> {
    match page.get("value") {
        Some(Value::Array(v)) => Ok(v.clone()),
        _ => Err(FetchError::Shape {
            endpoint: SIGNINS.name.into(),
            url: super::http::short_url(url),
            message: "a Graph collection page without a `value` array".into(),
        }),
    }
}

/// `@odata.nextLink`, only when it points at the same Graph host: the bearer token is
/// sent to it.
pub fn next_link(page: &Value, graph: &str, url: &str) -> Result<Option<String>, FetchError> {
    match page.get("@odata.nextLink") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(n)) if n.starts_with(&format!("{graph}/")) => Ok(Some(n.clone())),
        Some(other) => Err(FetchError::Shape {
            endpoint: "paging".into(),
            url: super::http::short_url(url),
            message: format!(
                "@odata.nextLink {} is not on {graph}; not followed (the token would go there)",
                super::http::short_url(&other.to_string())
            ),
        }),
    }
}

fn oldest(records: &[Value]) -> Option<String> {
    records
        .iter()
        .filter_map(|r| r.get("createdDateTime").and_then(Value::as_str))
        .min()
        .map(str::to_string)
}
