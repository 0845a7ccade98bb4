//! Sign-ins from a Log Analytics workspace (Microsoft Sentinel included) through the Log
//! Analytics query API: `POST {endpoint}/v1/workspaces/{id}/query` with `query` and
//! `timespan`, answered as `{"tables": [{"columns": [{"name", "type"}], "rows": [[…]]}]}`
//! (https://learn.microsoft.com/rest/api/loganalytics/dataaccess/query/execute). Each row
//! becomes one JSON object keyed by column name, `dynamic` columns kept as the JSON text
//! the API returns: the Log Analytics JSON export shape the sign-in loader reads.
//!
//! The window is walked in time chunks per table (SigninLogs,
//! AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs,
//! AADManagedIdentitySignInLogs), one `signins/la-<table>/<start>.ndjson.gz` per chunk. A
//! result cut by the API's limits (500,000 rows, ~64 MB;
//! https://learn.microsoft.com/azure/azure-monitor/service-limits#log-queries-and-language,
//! reported as a partial result with an `error`) is fetched again in halves.

use super::auth::Secret;
use super::error::FetchError;
use super::http::{Body, Endpoint, Http};
use super::state::{self, State};
use super::write;
use super::{Kind, Window};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Map, Value};
use std::path::Path;

pub const QUERY: Endpoint = Endpoint {
    name: "Log Analytics query",
    permission: "read access to the workspace: the Log Analytics Reader role (or \
                 Microsoft.OperationalInsights/workspaces/query/*/read) for the signed-in \
                 identity, or the Log Analytics API Data.Read permission for an app",
    doc: "https://learn.microsoft.com/azure/azure-monitor/logs/api/access-api",
    resource: "the Log Analytics API",
};

/// Rows the query API returns at most per query.
const ROW_LIMIT: usize = 500_000;
/// Smallest chunk before a cut result is an error.
const MIN_CHUNK_SECS: i64 = 60;

pub struct LogAnalytics<'a> {
    pub http: &'a Http<'a>,
    pub token: &'a Secret,
    /// `https://api.loganalytics.io` or a national cloud's.
    pub endpoint: &'a str,
    pub workspace: &'a str,
    pub dir: &'a Path,
    /// Chunk length.
    pub chunk: Duration,
    pub progress: &'a (dyn Fn(&str) + Sync),
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl LogAnalytics<'_> {
    pub fn run(&self, window: &Window, kinds: &[Kind], st: &mut State) -> Result<(), FetchError> {
        for &kind in kinds {
            self.table(window, kind, st)?;
        }
        Ok(())
    }

    fn table(&self, window: &Window, kind: Kind, st: &mut State) -> Result<(), FetchError> {
        let table = kind.la_table();
        let key = format!("la-{table}");
        let mut s = st.streams.get(&key).cloned().unwrap_or_default();
        if s.done {
            (self.progress)(&format!(
                "{table}: complete in an earlier run ({} records)",
                s.records
            ));
            return Ok(());
        }
        let mut start = match s.cursor.as_deref() {
            Some(c) => parse_time(c)?,
            None => window.since_t,
        };
        let mut chunk = self.chunk;
        while start < window.until_t {
            let end = (start + chunk).min(window.until_t);
            match self.query(table, start, end)? {
                Some(rows) => {
                    if !rows.is_empty() {
                        let file = self
                            .dir
                            .join("signins")
                            .join(&key)
                            .join(format!("{}.ndjson.gz", start.format("%Y%m%dT%H%M%SZ")));
                        write::ndjson_gz(&file, &rows)?;
                    }
                    s.pages += 1;
                    s.records += rows.len() as u64;
                    s.cursor = Some(rfc3339(end));
                    s.done = end >= window.until_t;
                    st.streams.insert(key.clone(), s.clone());
                    state::save(self.dir, st)?;
                    (self.progress)(&format!(
                        "{table}: to {}, {} records",
                        rfc3339(end),
                        s.records
                    ));
                    start = end;
                    chunk = self.chunk;
                }
                None if (end - start).num_seconds() > MIN_CHUNK_SECS => {
                    chunk = (end - start) / 2;
                    (self.progress)(&format!(
                        "{table}: {} to {} exceeds the query API's limits; halving to {} minutes",
                        rfc3339(start),
                        rfc3339(end),
                        chunk.num_minutes()
                    ));
                }
                None => {
                    return Err(FetchError::Shape {
                        endpoint: QUERY.name.into(),
                        url: self.url(),
                        message: format!(
                            "{table} from {} to {} exceeds the query API's limits even in a \
                             {MIN_CHUNK_SECS}-second chunk",
                            rfc3339(start),
                            rfc3339(end)
                        ),
                    })
                }
            }
        }
        s.done = true;
        st.streams.insert(key, s);
        state::save(self.dir, st)
    }

    fn url(&self) -> String {
        format!(
            "{}/v1/workspaces/{}/query",
            self.endpoint,
            super::http::encode(self.workspace)
        )
    }

    /// The rows of `table` in [start, end), or `None` when the answer was cut.
    fn query(
        &self,
        table: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<Vec<Value>>, FetchError> {
        let (a, b) = (rfc3339(start), rfc3339(end));
        // `timespan` bounds the scan; the `where` makes the end exclusive so chunks do
        // not overlap.
        let query = format!(
            "{table} | where TimeGenerated >= datetime({a}) and TimeGenerated < datetime({b})"
        );
        let body = serde_json::json!({"query": query, "timespan": format!("{a}/{b}")});
        let url = self.url();
        let v = self
            .http
            .post_json(&url, Some(self.token), Body::Json(&body), &QUERY)?;
        if v.get("error").is_some_and(|e| !e.is_null()) {
            return Ok(None);
        }
        let rows = rows(&v).map_err(|message| FetchError::Shape {
            endpoint: QUERY.name.into(),
            url,
            message,
        })?;
        Ok((rows.len() < ROW_LIMIT).then_some(rows))
    }
}

/// The first table of a query answer as one object per row.
fn rows(v: &Value) -> Result<Vec<Value>, String> {
    let table = v
        .get("tables")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .ok_or("no `tables`")?;
    let columns: Vec<&str> = table
        .get("columns")
        .and_then(Value::as_array)
        .ok_or("a table without `columns`")?
        .iter()
        .map(|c| c.get("name").and_then(Value::as_str).unwrap_or(""))
        .collect();
    let rows = table
        .get("rows")
        .and_then(Value::as_array)
        .ok_or("a table without `rows`")?;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .as_array()
                .filter(|c| c.len() == columns.len())
                .ok_or_else(|| format!("row {i} does not have {} cells", columns.len()))?;
            let obj: Map<String, Value> = columns
                .iter()
                .zip(cells)
                .map(|(c, v)| (c.to_string(), v.clone()))
                .collect();
            Ok(Value::Object(obj))
        })
        .collect()
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, FetchError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| FetchError::Usage(format!("bad time {s:?} in the resume state: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_objects() {
        let v = serde_json::json!({"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "Id", "type": "string"}, {"name": "DeviceDetail", "type": "dynamic"}],
            "rows": [["r1", "{\"deviceId\":\"d\"}"]]}]});
        assert_eq!(
            rows(&v),
            Ok(vec![
                serde_json::json!({"Id": "r1", "DeviceDetail": "{\"deviceId\":\"d\"}"})
            ])
        );
        let bad =
            serde_json::json!({"tables": [{"columns": [{"name": "Id"}], "rows": [["a", "b"]]}]});
        assert!(rows(&bad).is_err());
    }
}
