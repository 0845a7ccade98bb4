//! THE canonical sign-in schema (signin-logs.md §7): one [`SignInRecord`] per sign-in
//! event, whatever the export family, plus its polars form.
//!
//! Rules:
//! * Absent facts stay `None`; nothing is defaulted. `Some("")` is kept where the source
//!   logged an empty string on purpose (e.g. `deviceId: ""` = no registered device, §8.8).
//! * Enumerations are stored as normalised text (lower camelCase where Graph has an enum,
//!   raw text where the log is free text: `client_app_raw`, `os_raw`, `browser_raw`);
//!   `facts.rs` maps them onto the evaluator vocabulary.
//! * Polars storage choice: the crate builds polars without `dtype-struct` /
//!   `dtype-categorical`, so nested values (`ca_policies`, `acr_refs` and every list of
//!   strings) are stored as **JSON text** columns (`null` = absent, `[]` = present but
//!   empty), and categorical columns are `String`. Timestamps are `Datetime(us, UTC)`.
//!   `to_dataframe` / `from_dataframe` are exact inverses (round-trip tested).

use chrono::{DateTime, TimeZone, Utc};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Which of the four sign-in logs an event belongs to (signin-logs.md §1, §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    InteractiveUser,
    NonInteractiveUser,
    ServicePrincipal,
    ManagedIdentity,
    Unknown,
}

impl EventType {
    pub const ALL: [EventType; 5] = [
        EventType::InteractiveUser,
        EventType::NonInteractiveUser,
        EventType::ServicePrincipal,
        EventType::ManagedIdentity,
        EventType::Unknown,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InteractiveUser => "interactiveUser",
            EventType::NonInteractiveUser => "nonInteractiveUser",
            EventType::ServicePrincipal => "servicePrincipal",
            EventType::ManagedIdentity => "managedIdentity",
            EventType::Unknown => "unknown",
        }
    }
    /// Graph `signInEventTypes` member, diagnostic `category`, or Log Analytics table name
    /// (case-insensitive). signin-logs.md §5.1, §6.1.
    pub fn parse(s: &str) -> Option<EventType> {
        // Once per record: normalised on the stack (`values::squash`).
        let mut buf = [0u8; 64];
        let k = super::values::squash(s, &mut buf);
        Some(match k.as_ref() {
            "interactiveuser" | "signinlogs" | "interactive" => EventType::InteractiveUser,
            "noninteractiveuser"
            | "noninteractiveusersigninlogs"
            | "aadnoninteractiveusersigninlogs" => EventType::NonInteractiveUser,
            "serviceprincipal"
            | "serviceprincipalsigninlogs"
            | "aadserviceprincipalsigninlogs"
            | "microsoftserviceprincipalsigninlogs" => EventType::ServicePrincipal,
            "managedidentity" | "managedidentitysigninlogs" | "aadmanagedidentitysigninlogs" => {
                EventType::ManagedIdentity
            }
            "unknown" => EventType::Unknown,
            _ => return None,
        })
    }
}

impl SignInRecord {
    /// `MicrosoftServicePrincipalSignInLogs`: Microsoft first-party service principals, a
    /// separate log that is not a CA target (signin-logs.md §6.1).
    /// Clear the fields filled from [`super::REPLAY_SKIPS`]: what a full load leaves of a
    /// record once a replay's load would have skipped them (tests/signin_projection.rs).
    pub fn clear_replay_skipped(&mut self) {
        self.ca_policies = None;
        self.ca_status = None;
        self.network_types = None;
        self.network_names = None;
        self.correlation_id = None;
        self.session_id = None;
        self.sp_name = None;
        self.auth_protocol = None;
        self.incoming_token_type = None;
    }

    pub fn is_microsoft_first_party(&self) -> bool {
        self.log_category
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("MicrosoftServicePrincipalSignInLogs"))
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `authenticationContextClassReferences` entry (signin-logs.md §3.2, §8.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AcrRef {
    pub id: String,
    /// `required`, `previouslySatisfied`, `notApplicable`, … (`None` = not logged).
    pub detail: Option<String>,
}

/// One `appliedConditionalAccessPolicies` entry (signin-logs.md §3.4), normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaPolicyResult {
    pub id: String,
    pub display_name: Option<String>,
    /// `success`, `failure`, `notApplied`, `notEnabled`, `reportOnly*`, `unknown`,
    /// `unknownFutureValue` (as logged).
    pub result: Option<String>,
    pub grant_controls: Vec<String>,
    pub session_controls: Vec<String>,
    /// conditionalAccessConditions flags as bits (§3.4); text flags are converted.
    pub conditions_satisfied: Option<u32>,
    pub conditions_not_satisfied: Option<u32>,
    /// `authenticationStrength.authenticationStrengthResult` (beta/diagnostic only).
    pub auth_strength_result: Option<String>,
}

/// One sign-in event in canonical form (signin-logs.md §7).
#[derive(Debug, Clone, PartialEq)]
pub struct SignInRecord {
    /// Request id (`id` / `Request ID` / `Id`). Required.
    pub event_id: String,
    /// Event time (`createdDateTime`).
    pub created_at: Option<DateTime<Utc>>,
    /// Record time (`time` / `TimeGenerated`) when the source has one; orders duplicates.
    pub record_time: Option<DateTime<Utc>>,
    pub event_type: EventType,
    /// Raw log category / table (`SignInLogs`, `MicrosoftServicePrincipalSignInLogs`,
    /// `AADNonInteractiveUserSignInLogs`…) when the source names one.
    pub log_category: Option<String>,
    pub is_interactive: Option<bool>,
    pub correlation_id: Option<String>,
    pub session_id: Option<String>,
    pub user_id: Option<String>,
    /// Lowercased UPN.
    pub user_upn: Option<String>,
    pub user_display_name: Option<String>,
    /// Lowercased `userType` (`member`, `guest`, …).
    pub user_type: Option<String>,
    /// Flags split on `,` (`none`, `b2bCollaboration`, …).
    pub cross_tenant_access_type: Option<Vec<String>>,
    pub home_tenant_id: Option<String>,
    pub resource_tenant_id: Option<String>,
    /// Client app id.
    pub app_id: Option<String>,
    pub app_display_name: Option<String>,
    /// Target resource (audience) app id; never the LA `ResourceId` Azure path (§5.3).
    pub resource_id: Option<String>,
    pub resource_display_name: Option<String>,
    pub sp_id: Option<String>,
    pub sp_name: Option<String>,
    /// Canonical IP text (brackets/ports stripped, IPv4-mapped IPv6 as IPv4).
    pub ip: Option<String>,
    /// ISO alpha-2 country, upper case; `Some("")` = lookup found no country.
    pub country: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub network_types: Option<Vec<String>>,
    pub network_names: Option<Vec<String>>,
    pub client_app_raw: Option<String>,
    pub os_raw: Option<String>,
    pub browser_raw: Option<String>,
    pub user_agent: Option<String>,
    pub device_id: Option<String>,
    pub device_display_name: Option<String>,
    pub device_is_compliant: Option<bool>,
    pub device_is_managed: Option<bool>,
    pub device_trust_type: Option<String>,
    /// Lowercased `riskLevelDuringSignIn`.
    pub sign_in_risk: Option<String>,
    pub auth_requirement: Option<String>,
    /// Authentication method labels as logged (authenticationDetails + methodsUsed).
    pub auth_methods: Option<Vec<String>>,
    pub mfa_satisfied: Option<bool>,
    pub auth_protocol: Option<String>,
    pub original_transfer_method: Option<String>,
    pub incoming_token_type: Option<String>,
    pub acr_refs: Option<Vec<AcrRef>>,
    pub error_code: Option<i32>,
    pub failure_reason: Option<String>,
    pub additional_details: Option<String>,
    /// `success`, `failure`, `notApplied`, … (display text normalised).
    pub ca_status: Option<String>,
    pub ca_policies: Option<Vec<CaPolicyResult>>,
    /// Beta `conditionalAccessAudiences` app ids.
    pub ca_audiences: Option<Vec<String>>,
    pub msi_type: Option<String>,
    /// Beta `agent.agentSubjectType`, else `agent.agentType` (notAgentic, agenticApp,
    /// agenticAppInstance, agentIDuser, …): whether the token subject is an agent
    /// (docs/agent-id/sign-in-audit-logs-agents.md). `None` = the export has no `agent`.
    pub agent_type: Option<String>,
    /// Beta `ipAddressFromResourceProvider`: the IP the resource saw (what CAE strict
    /// location checks). `Some("")` = the export has the field but it is blank or null,
    /// which Entra writes when the resource saw the same IP; `None` = not in the export.
    pub resource_ip: Option<String>,
    /// Beta `tokenProtectionStatusDetails.signInSessionStatus` (`bound`, `unbound`,
    /// `none`, …); `None` = not in the export.
    pub token_binding: Option<String>,
    /// [`super::Format::as_str`] of the file the row came from.
    pub source_format: String,
    pub source_file: String,
    /// Line (JSON) or data row number (CSV, 1-based after the header) in the source.
    pub source_line: Option<u64>,
}

/// A canonical DataFrame does not have the expected shape.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("canonical column `{column}`: {message}")]
    Column { column: String, message: String },
    #[error("canonical column `{column}` row {row}: expected {expected}")]
    Value {
        column: String,
        row: usize,
        expected: String,
    },
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// How one field maps to a polars column.
trait ColKind {
    type T;
    fn dtype() -> DataType;
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a Self::T>) -> Column
    where
        Self::T: 'a;
    fn from_column(col: &Column, name: &str) -> Result<Vec<Self::T>, SchemaError>;
    fn to_json(v: &Self::T) -> serde_json::Value;
    /// The value of a column a load skips (`from_dataframe_without`); `None` when the
    /// column cannot be skipped (it has no "absent" value).
    fn absent() -> Option<Self::T> {
        None
    }
}

fn col_err(name: &str, e: impl std::fmt::Display) -> SchemaError {
    SchemaError::Column {
        column: name.to_string(),
        message: e.to_string(),
    }
}

struct ReqStr;
impl ColKind for ReqStr {
    fn to_json(v: &Self::T) -> serde_json::Value {
        serde_json::Value::String(v.clone())
    }
    type T = String;
    fn dtype() -> DataType {
        DataType::String
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a String>) -> Column {
        let v: Vec<&str> = values.map(|s| s.as_str()).collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<String>, SchemaError> {
        let ca = col.str().map_err(|e| col_err(name, e))?;
        ca.iter()
            .enumerate()
            .map(|(row, v)| {
                v.map(str::to_string).ok_or_else(|| SchemaError::Value {
                    column: name.to_string(),
                    row,
                    expected: "a non-null string".into(),
                })
            })
            .collect()
    }
}

struct OptStr;
impl ColKind for OptStr {
    fn absent() -> Option<Option<String>> {
        Some(None)
    }
    fn to_json(v: &Self::T) -> serde_json::Value {
        v.as_ref().map_or(serde_json::Value::Null, |s| {
            serde_json::Value::String(s.clone())
        })
    }
    type T = Option<String>;
    fn dtype() -> DataType {
        DataType::String
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a Option<String>>) -> Column {
        let v: Vec<Option<&str>> = values.map(|s| s.as_deref()).collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<Option<String>>, SchemaError> {
        let ca = col.str().map_err(|e| col_err(name, e))?;
        Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
    }
}

struct OptBool;
impl ColKind for OptBool {
    fn to_json(v: &Self::T) -> serde_json::Value {
        v.map_or(serde_json::Value::Null, serde_json::Value::Bool)
    }
    type T = Option<bool>;
    fn dtype() -> DataType {
        DataType::Boolean
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a Option<bool>>) -> Column {
        let v: Vec<Option<bool>> = values.copied().collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<Option<bool>>, SchemaError> {
        let ca = col.bool().map_err(|e| col_err(name, e))?;
        Ok(ca.iter().collect())
    }
}

struct OptI32;
impl ColKind for OptI32 {
    fn to_json(v: &Self::T) -> serde_json::Value {
        v.map_or(serde_json::Value::Null, serde_json::Value::from)
    }
    type T = Option<i32>;
    fn dtype() -> DataType {
        DataType::Int32
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a Option<i32>>) -> Column {
        let v: Vec<Option<i32>> = values.copied().collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<Option<i32>>, SchemaError> {
        let ca = col.i32().map_err(|e| col_err(name, e))?;
        Ok(ca.iter().collect())
    }
}

struct OptU64;
impl ColKind for OptU64 {
    fn to_json(v: &Self::T) -> serde_json::Value {
        v.map_or(serde_json::Value::Null, serde_json::Value::from)
    }
    type T = Option<u64>;
    fn dtype() -> DataType {
        DataType::UInt64
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a Option<u64>>) -> Column {
        let v: Vec<Option<u64>> = values.copied().collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<Option<u64>>, SchemaError> {
        let ca = col.u64().map_err(|e| col_err(name, e))?;
        Ok(ca.iter().collect())
    }
}

struct OptTime;
impl ColKind for OptTime {
    fn to_json(v: &Self::T) -> serde_json::Value {
        v.map_or(serde_json::Value::Null, |t| {
            serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        })
    }
    type T = Option<DateTime<Utc>>;
    fn dtype() -> DataType {
        DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC))
    }
    fn to_column<'a>(
        name: &str,
        values: impl Iterator<Item = &'a Option<DateTime<Utc>>>,
    ) -> Column {
        let v: Vec<Option<i64>> = values.map(|t| t.map(|t| t.timestamp_micros())).collect();
        let s = Series::new(name.into(), v)
            .into_datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
        s.into_column()
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<Option<DateTime<Utc>>>, SchemaError> {
        if !matches!(col.dtype(), DataType::Datetime(TimeUnit::Microseconds, _)) {
            return Err(col_err(
                name,
                format!("expected Datetime(us), found {}", col.dtype()),
            ));
        }
        let phys = col.cast(&DataType::Int64)?;
        let ca = phys.i64().map_err(|e| col_err(name, e))?;
        ca.iter()
            .enumerate()
            .map(|(row, v)| match v {
                None => Ok(None),
                Some(us) => {
                    Utc.timestamp_micros(us)
                        .single()
                        .map(Some)
                        .ok_or_else(|| SchemaError::Value {
                            column: name.to_string(),
                            row,
                            expected: "a representable timestamp".into(),
                        })
                }
            })
            .collect()
    }
}

struct EventTypeCol;
impl ColKind for EventTypeCol {
    fn to_json(v: &Self::T) -> serde_json::Value {
        serde_json::Value::String(v.as_str().to_string())
    }
    type T = EventType;
    fn dtype() -> DataType {
        DataType::String
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a EventType>) -> Column {
        let v: Vec<&str> = values.map(|e| e.as_str()).collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<EventType>, SchemaError> {
        let ca = col.str().map_err(|e| col_err(name, e))?;
        ca.iter()
            .enumerate()
            .map(|(row, v)| {
                v.and_then(EventType::parse)
                    .ok_or_else(|| SchemaError::Value {
                        column: name.to_string(),
                        row,
                        expected: "one of interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity, unknown".into(),
                    })
            })
            .collect()
    }
}

/// Nested values as JSON text (see module docs).
struct Json<T>(std::marker::PhantomData<T>);
impl<T: Serialize + for<'de> Deserialize<'de> + 'static> ColKind for Json<T> {
    fn absent() -> Option<Option<Vec<T>>> {
        Some(None)
    }
    fn to_json(v: &Self::T) -> serde_json::Value {
        v.as_ref()
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or(serde_json::Value::Null)
    }
    type T = Option<Vec<T>>;
    fn dtype() -> DataType {
        DataType::String
    }
    fn to_column<'a>(name: &str, values: impl Iterator<Item = &'a Option<Vec<T>>>) -> Column
    where
        Self::T: 'a,
    {
        let v: Vec<Option<String>> = values
            .map(|o| {
                o.as_ref()
                    .map(|v| serde_json::to_string(v).unwrap_or_else(|_| "[]".to_string()))
            })
            .collect();
        Column::new(name.into(), v)
    }
    fn from_column(col: &Column, name: &str) -> Result<Vec<Option<Vec<T>>>, SchemaError> {
        let ca = col.str().map_err(|e| col_err(name, e))?;
        ca.iter()
            .enumerate()
            .map(|(row, v)| match v {
                None => Ok(None),
                Some(text) => {
                    serde_json::from_str(text)
                        .map(Some)
                        .map_err(|e| SchemaError::Value {
                            column: name.to_string(),
                            row,
                            expected: format!("a JSON array ({e})"),
                        })
                }
            })
            .collect()
    }
}

type JsonStrs = Json<String>;
type JsonAcr = Json<AcrRef>;
type JsonCa = Json<CaPolicyResult>;

macro_rules! canonical_columns {
    ($($field:ident : $kind:ty),* $(,)?) => {
        /// Canonical column names, in schema order.
        pub const COLUMNS: &[&str] = &[$(stringify!($field)),*];

        /// The polars schema of the canonical DataFrame.
        pub fn polars_schema() -> Schema {
            let mut s = Schema::default();
            $( s.with_column(stringify!($field).into(), <$kind as ColKind>::dtype()); )*
            s
        }

        /// Canonical rows to a DataFrame with [`polars_schema`].
        pub fn to_dataframe(rows: &[SignInRecord]) -> PolarsResult<DataFrame> {
            let cols = vec![$( <$kind as ColKind>::to_column(stringify!($field), rows.iter().map(|r| &r.$field)) ),*];
            DataFrame::new(rows.len(), cols)
        }

        /// One row as a JSON object keyed by canonical column names (`logs convert --to
        /// ndjson`); nested values are real JSON here, timestamps RFC 3339 UTC.
        pub fn to_json(r: &SignInRecord) -> serde_json::Map<String, serde_json::Value> {
            let mut m = serde_json::Map::new();
            $( m.insert(stringify!($field).to_string(), <$kind as ColKind>::to_json(&r.$field)); )*
            m
        }

        /// A DataFrame with the canonical columns (any order, extra columns ignored) back
        /// to rows.
        pub fn from_dataframe(df: &DataFrame) -> Result<Vec<SignInRecord>, SchemaError> {
            from_dataframe_without(df, &[])
        }

        /// [`from_dataframe`], leaving the columns named in `skip` unread (absent from the
        /// frame or not): their fields are `None` in every row. Only optional columns can
        /// be skipped; any other name in `skip` is read as usual.
        pub fn from_dataframe_without(
            df: &DataFrame,
            skip: &[&str],
        ) -> Result<Vec<SignInRecord>, SchemaError> {
            let n = df.height();
            $(
                let skipped = <$kind as ColKind>::absent()
                    .filter(|_| skip.contains(&stringify!($field)));
                let mut $field = match skipped {
                    Some(none) => vec![none; n].into_iter(),
                    None => {
                        let col = df.column(stringify!($field)).map_err(|_| SchemaError::Column {
                            column: stringify!($field).to_string(),
                            message: "missing from the DataFrame (not a careplay canonical file?)".into(),
                        })?;
                        <$kind as ColKind>::from_column(col, stringify!($field))?.into_iter()
                    }
                };
            )*
            let mut out = Vec::with_capacity(n);
            for row in 0..n {
                out.push(SignInRecord {
                    $( $field: $field.next().ok_or_else(|| SchemaError::Value {
                        column: stringify!($field).to_string(),
                        row,
                        expected: "as many values as the frame height".into(),
                    })?, )*
                });
            }
            Ok(out)
        }
    };
}

canonical_columns! {
    event_id: ReqStr,
    created_at: OptTime,
    record_time: OptTime,
    event_type: EventTypeCol,
    log_category: OptStr,
    is_interactive: OptBool,
    correlation_id: OptStr,
    session_id: OptStr,
    user_id: OptStr,
    user_upn: OptStr,
    user_display_name: OptStr,
    user_type: OptStr,
    cross_tenant_access_type: JsonStrs,
    home_tenant_id: OptStr,
    resource_tenant_id: OptStr,
    app_id: OptStr,
    app_display_name: OptStr,
    resource_id: OptStr,
    resource_display_name: OptStr,
    sp_id: OptStr,
    sp_name: OptStr,
    ip: OptStr,
    country: OptStr,
    state: OptStr,
    city: OptStr,
    network_types: JsonStrs,
    network_names: JsonStrs,
    client_app_raw: OptStr,
    os_raw: OptStr,
    browser_raw: OptStr,
    user_agent: OptStr,
    device_id: OptStr,
    device_display_name: OptStr,
    device_is_compliant: OptBool,
    device_is_managed: OptBool,
    device_trust_type: OptStr,
    sign_in_risk: OptStr,
    auth_requirement: OptStr,
    auth_methods: JsonStrs,
    mfa_satisfied: OptBool,
    auth_protocol: OptStr,
    original_transfer_method: OptStr,
    incoming_token_type: OptStr,
    acr_refs: JsonAcr,
    error_code: OptI32,
    failure_reason: OptStr,
    additional_details: OptStr,
    ca_status: OptStr,
    ca_policies: JsonCa,
    ca_audiences: JsonStrs,
    msi_type: OptStr,
    agent_type: OptStr,
    resource_ip: OptStr,
    token_binding: OptStr,
    source_format: ReqStr,
    source_file: ReqStr,
    source_line: OptU64,
}

#[cfg(test)]
mod tests {
    use super::EventType;

    #[test]
    fn event_type_names_match_whatever_their_case_and_separators() {
        for (s, t) in [
            ("interactiveUser", EventType::InteractiveUser),
            (" SignInLogs ", EventType::InteractiveUser),
            ("non-interactive user", EventType::NonInteractiveUser),
            (
                "AADNonInteractiveUserSignInLogs",
                EventType::NonInteractiveUser,
            ),
            (
                "MicrosoftServicePrincipalSignInLogs",
                EventType::ServicePrincipal,
            ),
            ("Managed_Identity", EventType::ManagedIdentity),
            ("unknown", EventType::Unknown),
        ] {
            assert_eq!(EventType::parse(s), Some(t), "{s:?}");
        }
        // Unknown names, including one longer than any known name and non-ASCII text.
        for s in [
            "",
            "interactive users",
            "aadmanagedidentitysigninlogsandmorelettersbeyond",
            "intéractiveuser",
        ] {
            assert_eq!(EventType::parse(s), None, "{s:?}");
        }
    }
}
