//! Export families and sniffing from content (signin-logs.md §1, §2). File names are only
//! used as event-type hints, never to pick the reader.

use super::frame::Framer;
use super::schema::EventType;
use super::wire::norm_key;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// An export family careplay reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// Graph `signIn` JSON (v1.0/beta): page with `value`, array, JSON Lines, concatenated
    /// texts; also the admin-center JSON download (G1–G4, P2).
    Graph,
    /// PowerShell SDK objects via ConvertTo-Json (G5, PascalCase).
    Powershell,
    /// Log Analytics query export as JSON (L1).
    LaJson,
    /// Diagnostic-settings storage records, JSON Lines with `properties` (D1, PT1H.json).
    Diagnostic,
    /// Event Hub bodies `{"records":[…]}` (D2).
    EventHub,
    /// Admin-center CSV download (P1: interactive, non-interactive, application, MSI).
    PortalCsv,
    /// Admin-center `…_AuthDetails_…` CSV, joined to the sign-ins by Request ID (§4.4).
    PortalAuthDetails,
    /// Log Analytics query export as CSV (L1).
    LaCsv,
    /// Parquet written by `careplay logs convert` (canonical schema).
    Parquet,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Graph => "graph-json",
            Format::Powershell => "powershell-json",
            Format::LaJson => "la-json",
            Format::Diagnostic => "diagnostic-json",
            Format::EventHub => "eventhub-json",
            Format::PortalCsv => "portal-csv",
            Format::PortalAuthDetails => "portal-authdetails-csv",
            Format::LaCsv => "la-csv",
            Format::Parquet => "parquet",
        }
    }
    /// Which reader handles the format.
    pub fn reader(self) -> ReaderKind {
        match self {
            Format::Graph
            | Format::Powershell
            | Format::LaJson
            | Format::Diagnostic
            | Format::EventHub => ReaderKind::Json,
            Format::PortalCsv | Format::PortalAuthDetails | Format::LaCsv => ReaderKind::Csv,
            Format::Parquet => ReaderKind::Parquet,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderKind {
    Json,
    Csv,
    Parquet,
}

/// Result of sniffing a prefix of (decompressed, BOM-stripped) content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniff {
    Known(Format),
    /// JSON or CSV that matches no family; carries a printable description.
    Unknown(String),
    /// PowerShell `Export-Csv` of SDK objects: nested data is lost (§2 step 5).
    PowershellCsv,
    Empty,
}

/// Objects whose keys are sniffed: a first record without `id` must not make the file
/// "unknown format" (issue 19), so the next ones are classified too.
const SNIFF_OBJECTS: usize = 16;

/// Collects the keys of the first objects (of an array's first elements), one list per
/// object, even when the prefix ends inside one.
struct KeyCollector<'a>(&'a mut Vec<Vec<String>>);
impl<'de> DeserializeSeed<'de> for KeyCollector<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}
impl<'de> Visitor<'de> for KeyCollector<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.push(Vec::new());
        let at = self.0.len() - 1;
        while let Some(k) = map.next_key::<String>()? {
            self.0[at].push(k);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while self.0.len() < SNIFF_OBJECTS {
            if seq.next_element_seed(KeyCollector(self.0))?.is_none() {
                break;
            }
        }
        Err(de::Error::custom("stop after the sniffed elements"))
    }
    // Anything else (a string or number element) has no keys.
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The keys of the first objects of the prefix, one list per object.
fn first_keys(prefix: &[u8]) -> Vec<Vec<String>> {
    // The framer finds the objects even after garbage or in an array.
    let mut keys = Vec::new();
    let mut f = Framer::new();
    let _ = f.run(prefix, &mut |t| {
        if keys.len() >= SNIFF_OBJECTS || t.garbage {
            return;
        }
        if t.bytes.first() == Some(&b'{') {
            let mut de = serde_json::Deserializer::from_slice(t.bytes);
            let _ = KeyCollector(&mut keys).deserialize(&mut de);
        }
    });
    keys
}

/// Classify JSON by the keys of its first object (signin-logs.md §2 steps 1–4).
pub fn classify_json_keys(keys: &[String]) -> Option<Format> {
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("records") {
        return Some(Format::EventHub);
    }
    if has("value") {
        return Some(Format::Graph);
    }
    if has("properties") && (has("category") || has("operationName") || has("time")) {
        return Some(Format::Diagnostic);
    }
    if has("id") && has("createdDateTime") {
        return Some(Format::Graph);
    }
    if has("Id") {
        if has("AdditionalProperties") {
            return Some(Format::Powershell);
        }
        if has("TimeGenerated") || has("TenantId") || has("Type") || has("CreatedDateTime") {
            return Some(Format::LaJson);
        }
    }
    if has("id") {
        return Some(Format::Graph);
    }
    None
}

/// Parse one CSV header line (quoted fields, `""` escapes).
pub fn parse_csv_header(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            quoted = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// Classify a CSV header (signin-logs.md §2 step 5).
pub fn classify_csv_header(names: &[String]) -> Option<Sniff> {
    let mut buf = String::new();
    let norm: Vec<String> = names
        .iter()
        .map(|n| {
            norm_key(n, &mut buf);
            buf.clone()
        })
        .collect();
    let has = |k: &str| norm.iter().any(|x| x == k);
    let has_prefix = |k: &str| norm.iter().any(|x| x.starts_with(k));
    if has("authentication method") && has("succeeded") {
        return Some(Sniff::Known(Format::PortalAuthDetails));
    }
    if has("request id") && (has("date (utc)") || has("date")) {
        return Some(Sniff::Known(Format::PortalCsv));
    }
    if has("id")
        && (has("timegenerated [utc]")
            || has("timegenerated")
            || has_prefix("conditionalaccesspolicies")
            || has_prefix("devicedetail"))
    {
        return Some(Sniff::Known(Format::LaCsv));
    }
    if has("appdisplayname") && has("appliedconditionalaccesspolicies") {
        return Some(Sniff::PowershellCsv);
    }
    None
}

/// Sniff a content prefix (decompressed; BOM already stripped).
pub fn sniff(prefix: &[u8]) -> Sniff {
    if prefix.starts_with(b"PAR1") {
        return Sniff::Known(Format::Parquet);
    }
    let first = prefix.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Sniff::Empty;
    };
    match prefix[first] {
        b'{' | b'[' => {
            let objects = first_keys(&prefix[first..]);
            if prefix[first] == b'[' && objects.iter().all(|k| k.is_empty()) {
                // `[]` or an array of non-objects: read it as Graph and let the row
                // accounting say what was found.
                let rest = prefix[first + 1..]
                    .iter()
                    .find(|b| !b.is_ascii_whitespace());
                if rest == Some(&b']') || rest.is_none() {
                    return Sniff::Known(Format::Graph);
                }
            }
            // The first object that names its family decides; the others are then read
            // (and rejected with their reason) by that family's reader.
            let keys = objects.first().cloned().unwrap_or_default();
            match objects.iter().find_map(|k| classify_json_keys(k)) {
                Some(f) => Sniff::Known(f),
                None => Sniff::Unknown(format!(
                    "JSON whose first object has keys [{}]; expected a Graph signIn (`id`, `createdDateTime`), a page (`value`), a diagnostic record (`properties`, `category`), an Event Hub body (`records`) or a Log Analytics row (`Id`, `TimeGenerated`)",
                    keys.iter().take(12).cloned().collect::<Vec<_>>().join(", ")
                )),
            }
        }
        _ => {
            let text = String::from_utf8_lossy(&prefix[first..]);
            let mut lines = text.lines();
            let mut line = lines.next().unwrap_or("").to_string();
            // Windows PowerShell's Export-Csv writes `#TYPE <.NET type>` before the header
            // (PowerShell 7 only with -IncludeTypeInformation).
            let type_line = line.starts_with("#TYPE").then(|| line.clone());
            if type_line.is_some() {
                line = lines.next().unwrap_or("").to_string();
            }
            let names = parse_csv_header(&line, ',');
            // PowerShell Export-Csv of Graph SDK objects (Get-MgAuditLogSignIn): nested
            // objects are written as their type names. Checked before the header
            // families: its `Id` + `DeviceDetail` columns look like Log Analytics CSV.
            let sdk_type = |l: &str| {
                l.contains("Microsoft.Graph.PowerShell.Models.")
                    || l.contains("Microsoft.Graph.Beta.PowerShell.Models.")
            };
            if type_line.as_deref().is_some_and(sdk_type)
                || (classify_csv_header(&names) != Some(Sniff::Known(Format::PortalCsv))
                    && lines.take(5).any(sdk_type))
            {
                return Sniff::PowershellCsv;
            }
            if let Some(s) = classify_csv_header(&names) {
                return s;
            }
            for (sep, label) in [(';', "';'"), ('\t', "tab")] {
                if names.len() <= 1 && line.contains(sep) {
                    let alt = parse_csv_header(&line, sep);
                    if classify_csv_header(&alt).is_some() {
                        return Sniff::Unknown(format!(
                            "CSV header is {label}-delimited (`{}`); Entra and Log Analytics exports are comma-separated — re-export, or convert the delimiter to ','",
                            super::reject::excerpt(&line)
                        ));
                    }
                }
            }
            Sniff::Unknown(format!(
                "not JSON, and the first line is not a known CSV header: `{}` (expected e.g. `Date (UTC)`+`Request ID` for the admin-center CSV, or `Id`+`TimeGenerated [UTC]` for Log Analytics)",
                super::reject::excerpt(&line)
            ))
        }
    }
}

/// Event type implied by a file name (signin-logs.md §2, portal names and storage
/// container names). A hint only.
pub fn event_type_from_name(path: &std::path::Path) -> Option<EventType> {
    let s = path.to_string_lossy().to_ascii_lowercase();
    if s.contains("noninteractive") {
        Some(EventType::NonInteractiveUser)
    } else if s.contains("interactivesignins") || s.contains("insights-logs-signinlogs") {
        Some(EventType::InteractiveUser)
    } else if s.contains("applicationsignins") || s.contains("serviceprincipalsigninlogs") {
        Some(EventType::ServicePrincipal)
    } else if s.contains("msisignins") || s.contains("managedidentitysigninlogs") {
        Some(EventType::ManagedIdentity)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_json_families() {
        assert_eq!(
            sniff(b"{\"records\":[{\"time\":1}]}"),
            Sniff::Known(Format::EventHub)
        );
        assert_eq!(
            sniff(b"{\"@odata.context\":\"x\",\"value\":[]}"),
            Sniff::Known(Format::Graph)
        );
        assert_eq!(
            sniff(
                b"{ \"time\": \"t\", \"category\": \"SignInLogs\", \"properties\": {\"id\":\"a\"}}"
            ),
            Sniff::Known(Format::Diagnostic)
        );
        assert_eq!(
            sniff(b"[{\"id\":\"a\",\"createdDateTime\":\"t\"}"),
            Sniff::Known(Format::Graph)
        );
        assert_eq!(
            sniff(b"[{\"Id\":\"a\",\"TimeGenerated\":\"t\"}]"),
            Sniff::Known(Format::LaJson)
        );
        assert_eq!(sniff(b"[]"), Sniff::Known(Format::Graph));
        assert_eq!(sniff(b"  \n"), Sniff::Empty);
        assert!(matches!(sniff(b"{\"foo\":1}"), Sniff::Unknown(_)));
    }

    #[test]
    fn sniffs_csv_headers() {
        assert_eq!(
            sniff(b"\"Date (UTC)\",\"Request ID\",\"User agent\"\n"),
            Sniff::Known(Format::PortalCsv)
        );
        assert_eq!(
            sniff(b"Request ID,Date (UTC),Authentication method,Succeeded\n"),
            Sniff::Known(Format::PortalAuthDetails)
        );
        assert_eq!(
            sniff(b"TenantId,Id,CreatedDateTime [UTC],ConditionalAccessPolicies_dynamic\n"),
            Sniff::Known(Format::LaCsv)
        );
        match sniff(b"Date (UTC);Request ID;User\n") {
            Sniff::Unknown(m) => assert!(m.contains("';'-delimited"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
