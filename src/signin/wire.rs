//! The raw, lenient view of one record before normalisation: the fields careplay reads,
//! looked up by key through per-family alias tables, each kept as a [`Val`] (a JSON value
//! borrowing its strings from the input: `super::val`).
//!
//! * Keys are matched after [`norm_key`] (ASCII-lowercase, trimmed, inner whitespace
//!   collapsed), so Graph camelCase, Log Analytics PascalCase and the portal CSV display
//!   headers with trailing/double spaces (signin-logs.md §4.2) all land on one [`F`].
//! * Unknown keys are skipped without being materialised (`IgnoredAny`).
//! * Duplicate keys (signin-logs.md §11 trap 7): **last non-empty value wins**; a later
//!   `null` or `""` does not erase an earlier value (this also merges Log Analytics
//!   `X_dynamic` / `X_string` column pairs, §5.2).
//! * Diagnostic records keep their envelope; the sign-in under `properties` is a nested
//!   [`WireRecord`].

use super::val::Val;
use crate::model::text;
use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

macro_rules! fields {
    ($($name:ident),* $(,)?) => {
        /// A field careplay reads.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(clippy::enum_variant_names)]
        pub enum F { $($name),* }
        impl F {
            pub const ALL: &'static [F] = &[$(F::$name),*];
            pub const COUNT: usize = F::ALL.len();
        }
    };
}

fields! {
    Id, CreatedDateTime, Time, Category, SignInEventTypes, IsInteractive, CorrelationId,
    SessionId, UserId, UserPrincipalName, UserDisplayName, UserType, CrossTenantAccessType,
    HomeTenantId, ResourceTenantId, AppId, AppDisplayName, ResourceId, ResourceIdentity,
    ResourceDisplayName, ServicePrincipalId, ServicePrincipalName, IpAddress, CallerIpAddress,
    Location, LocationDetails, NetworkLocationDetails, ClientAppUsed, UserAgent, DeviceDetail,
    DeviceId, DeviceDisplayName, OperatingSystem, Browser, IsCompliant, IsManaged, TrustType,
    RiskLevelDuringSignIn, AuthenticationRequirement, AuthenticationDetails,
    AuthenticationMethodsUsed, MfaResult, MfaMethod, AuthenticationProtocol,
    OriginalTransferMethod, IncomingTokenType, AuthenticationContextClassReferences, Status,
    ErrorCode, ResultType, FailureReason, ResultDescription, AdditionalDetails,
    ConditionalAccessStatus, AppliedConditionalAccessPolicies, ConditionalAccessAudiences,
    ManagedServiceIdentity, MsiType, Properties, Value, Records, Agent,
    IpAddressFromResourceProvider, TokenProtectionStatusDetails,
    // Portal AuthDetails CSV (signin-logs.md §4.4)
    AuthMethod, AuthMethodDetail, Succeeded, ResultDetail, Requirement,
}

/// Key normalisation shared by every table: trim, collapse whitespace, ASCII lowercase.
pub fn norm_key(k: &str, out: &mut String) {
    out.clear();
    let mut space = false;
    for c in text::trim(k).chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c.to_ascii_lowercase());
    }
}

/// Which alias table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Graph camelCase, PowerShell/Log Analytics PascalCase, diagnostic envelopes.
    Json,
    /// Entra admin-center CSV display headers (signin-logs.md §4.2–4.4).
    Portal,
}

const JSON_ALIASES: &[(&str, F)] = &[
    ("id", F::Id),
    ("createdDateTime", F::CreatedDateTime),
    ("CreatedDateTime [UTC]", F::CreatedDateTime),
    ("time", F::Time),
    ("TimeGenerated", F::Time),
    ("TimeGenerated [UTC]", F::Time),
    ("category", F::Category),
    ("Type", F::Category),
    ("signInEventTypes", F::SignInEventTypes),
    ("isInteractive", F::IsInteractive),
    ("correlationId", F::CorrelationId),
    ("sessionId", F::SessionId),
    ("userId", F::UserId),
    ("userPrincipalName", F::UserPrincipalName),
    ("userDisplayName", F::UserDisplayName),
    ("userType", F::UserType),
    ("crossTenantAccessType", F::CrossTenantAccessType),
    ("homeTenantId", F::HomeTenantId),
    ("resourceTenantId", F::ResourceTenantId),
    ("appId", F::AppId),
    ("appDisplayName", F::AppDisplayName),
    ("resourceId", F::ResourceId),
    ("ResourceIdentity", F::ResourceIdentity),
    ("resourceDisplayName", F::ResourceDisplayName),
    ("servicePrincipalId", F::ServicePrincipalId),
    ("servicePrincipalName", F::ServicePrincipalName),
    ("ipAddress", F::IpAddress),
    ("callerIpAddress", F::CallerIpAddress),
    ("location", F::Location),
    ("LocationDetails", F::LocationDetails),
    ("LocationDetails_dynamic", F::LocationDetails),
    ("LocationDetails_string", F::LocationDetails),
    ("networkLocationDetails", F::NetworkLocationDetails),
    ("clientAppUsed", F::ClientAppUsed),
    ("userAgent", F::UserAgent),
    ("deviceDetail", F::DeviceDetail),
    ("DeviceDetail_dynamic", F::DeviceDetail),
    ("DeviceDetail_string", F::DeviceDetail),
    ("riskLevelDuringSignIn", F::RiskLevelDuringSignIn),
    ("authenticationRequirement", F::AuthenticationRequirement),
    ("authenticationDetails", F::AuthenticationDetails),
    ("authenticationMethodsUsed", F::AuthenticationMethodsUsed),
    ("authenticationProtocol", F::AuthenticationProtocol),
    ("originalTransferMethod", F::OriginalTransferMethod),
    ("incomingTokenType", F::IncomingTokenType),
    (
        "authenticationContextClassReferences",
        F::AuthenticationContextClassReferences,
    ),
    ("status", F::Status),
    ("Status_dynamic", F::Status),
    ("Status_string", F::Status),
    ("resultType", F::ResultType),
    ("resultDescription", F::ResultDescription),
    ("conditionalAccessStatus", F::ConditionalAccessStatus),
    (
        "appliedConditionalAccessPolicies",
        F::AppliedConditionalAccessPolicies,
    ),
    (
        "ConditionalAccessPolicies",
        F::AppliedConditionalAccessPolicies,
    ),
    (
        "ConditionalAccessPolicies_dynamic",
        F::AppliedConditionalAccessPolicies,
    ),
    (
        "ConditionalAccessPolicies_string",
        F::AppliedConditionalAccessPolicies,
    ),
    ("conditionalAccessAudiences", F::ConditionalAccessAudiences),
    ("agent", F::Agent),
    (
        "ipAddressFromResourceProvider",
        F::IpAddressFromResourceProvider,
    ),
    (
        "tokenProtectionStatusDetails",
        F::TokenProtectionStatusDetails,
    ),
    ("managedServiceIdentity", F::ManagedServiceIdentity),
    ("properties", F::Properties),
    ("value", F::Value),
    ("records", F::Records),
];

const PORTAL_ALIASES: &[(&str, F)] = &[
    ("Date (UTC)", F::CreatedDateTime),
    ("Date", F::CreatedDateTime),
    ("Request ID", F::Id),
    ("User agent", F::UserAgent),
    (
        "IP address (seen by resource)",
        F::IpAddressFromResourceProvider,
    ),
    ("Correlation ID", F::CorrelationId),
    ("User ID", F::UserId),
    ("User", F::UserDisplayName),
    ("Username", F::UserPrincipalName),
    ("User type", F::UserType),
    ("Cross tenant access type", F::CrossTenantAccessType),
    ("Incoming token type", F::IncomingTokenType),
    ("Authentication Protocol", F::AuthenticationProtocol),
    ("Original transfer method", F::OriginalTransferMethod),
    ("Application", F::AppDisplayName),
    ("Application ID", F::AppId),
    ("Resource", F::ResourceDisplayName),
    ("Resource ID", F::ResourceId),
    ("Resource tenant ID", F::ResourceTenantId),
    ("Home tenant ID", F::HomeTenantId),
    ("Service principal ID", F::ServicePrincipalId),
    ("Service principal name", F::ServicePrincipalName),
    ("IP address", F::IpAddress),
    ("Location", F::Location),
    ("Status", F::Status),
    ("Sign-in error code", F::ErrorCode),
    ("Failure reason", F::FailureReason),
    ("Client app", F::ClientAppUsed),
    ("Device ID", F::DeviceId),
    ("Browser", F::Browser),
    ("Operating System", F::OperatingSystem),
    ("Compliant", F::IsCompliant),
    ("Managed", F::IsManaged),
    ("Join Type", F::TrustType),
    ("Multifactor authentication result", F::MfaResult),
    ("Multifactor authentication auth method", F::MfaMethod),
    ("Authentication requirement", F::AuthenticationRequirement),
    ("Session ID", F::SessionId),
    ("Conditional Access", F::ConditionalAccessStatus),
    ("Managed Identity type", F::MsiType),
    // AuthDetails file
    ("Authentication method", F::AuthMethod),
    ("Authentication method detail", F::AuthMethodDetail),
    ("Succeeded", F::Succeeded),
    ("Result detail", F::ResultDetail),
    ("Requirement", F::Requirement),
];

fn table(t: Table) -> &'static HashMap<String, F> {
    static JSON: OnceLock<HashMap<String, F>> = OnceLock::new();
    static PORTAL: OnceLock<HashMap<String, F>> = OnceLock::new();
    let (cell, src) = match t {
        Table::Json => (&JSON, JSON_ALIASES),
        Table::Portal => (&PORTAL, PORTAL_ALIASES),
    };
    cell.get_or_init(|| {
        let mut buf = String::new();
        src.iter()
            .map(|(k, f)| {
                norm_key(k, &mut buf);
                (buf.clone(), *f)
            })
            .collect()
    })
}

/// The JSON aliases exactly as spelled (Graph camelCase and the other families' usual
/// spellings): most keys of a real export hit this table without being normalised.
fn exact_json() -> &'static FxHashMap<&'static str, F> {
    static EXACT: OnceLock<FxHashMap<&'static str, F>> = OnceLock::new();
    EXACT.get_or_init(|| JSON_ALIASES.iter().copied().collect())
}

/// Look a raw key up in a table.
pub fn lookup(t: Table, key: &str, buf: &mut String) -> Option<F> {
    // An exact alias normalises to the same entry as itself, so the fast path cannot
    // disagree with the normalised lookup (unit test below).
    if t == Table::Json {
        if let Some(f) = exact_json().get(key) {
            return Some(*f);
        }
    }
    norm_key(key, buf);
    table(t).get(buf.as_str()).copied()
}

/// Fields a reader may skip without materialising them: a replay never reads the
/// logged Conditional Access results (`careplay verify` does), which are the bulk of a
/// Graph record (8 policies of 5 fields each in a typical export).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Projection {
    skip: u128,
}

impl Projection {
    /// Every field is read.
    pub const ALL: Projection = Projection { skip: 0 };

    /// Skip these fields.
    pub fn without(fields: &[F]) -> Projection {
        Projection {
            skip: fields.iter().fold(0, |m, f| m | 1u128 << (*f as u32)),
        }
    }

    pub fn reads(self, f: F) -> bool {
        self.skip & (1u128 << (f as u32)) == 0
    }
}

/// The fields of one record (or envelope) as found in the input: the values in the order
/// their fields were first met, and per field the position of its value (one byte each,
/// so a new record costs one small allocation, not a slot per field).
#[derive(Debug, Clone)]
pub struct WireRecord<'a> {
    /// Per field: 0 when absent, else the value's index in `values` plus one.
    slots: [u8; F::COUNT],
    values: Vec<Val<'a>>,
    /// Diagnostic-settings `properties` (the sign-in itself).
    pub properties: Option<Box<WireRecord<'a>>>,
}

/// Values a record is first given room for (a Graph record reads about 30 fields).
const VALUES_ROOM: usize = 32;

// A slot holds an index below 255.
const _: () = assert!(F::COUNT < 255);

impl Default for WireRecord<'_> {
    fn default() -> Self {
        WireRecord {
            slots: [0; F::COUNT],
            values: Vec::new(),
            properties: None,
        }
    }
}

/// Equal when every field has the same value (whatever order the fields came in).
impl PartialEq for WireRecord<'_> {
    fn eq(&self, other: &Self) -> bool {
        F::ALL.iter().all(|f| self.get(*f) == other.get(*f)) && self.properties == other.properties
    }
}

fn is_empty_value(v: &Val<'_>) -> bool {
    match v {
        Val::Null => true,
        Val::String(s) => text::trim(s).is_empty(),
        _ => false,
    }
}

impl<'a> WireRecord<'a> {
    pub fn get(&self, f: F) -> Option<&Val<'a>> {
        match self.slots[f as usize] {
            0 => None,
            i => self.values.get(usize::from(i) - 1),
        }
    }
    /// Store a value; last non-empty wins (module docs).
    pub fn set(&mut self, f: F, v: Val<'a>) {
        match self.slots[f as usize] {
            0 => {
                if self.values.capacity() == 0 {
                    self.values.reserve_exact(VALUES_ROOM);
                }
                self.values.push(v);
                // At most one value per field, so the index stays below F::COUNT.
                self.slots[f as usize] = self.values.len() as u8;
            }
            i => {
                if !is_empty_value(&v) {
                    if let Some(slot) = self.values.get_mut(usize::from(i) - 1) {
                        *slot = v;
                    }
                }
            }
        }
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.properties.is_none()
    }
}

/// One item found in a JSON text: a record, or an element that was not an object.
#[derive(Debug)]
pub enum Item<'a> {
    Record(WireRecord<'a>),
    /// A JSON value where a record object was expected; the string names its type.
    NotObject(&'static str),
}

/// Deserializes a key: the key itself when it is a slice of the input (a key without
/// escapes in a text parsed as `str`), else a copy in a reusable buffer (`None`). Neither
/// allocates per key; copying every key was ~1% of a replay's instructions.
struct KeySeed<'a>(&'a mut String);
impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<&'de str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}
impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<&'de str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(None)
    }
}

/// Streams one top-level JSON value: a record, an envelope with `properties`, a Graph
/// page (`value`), an Event Hub body (`records`) or an array of any of those; every record
/// found goes to `sink` as soon as it is parsed (pages are never materialised as a DOM).
pub struct TopSeed<'a, 'de> {
    pub sink: &'a mut dyn FnMut(Item<'de>),
    pub projection: Projection,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in object, a page with `value`, or an array")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let sink = self.sink;
        let mut container = false;
        let rec = visit_record(map, &mut Some(&mut *sink), &mut container, self.projection)?;
        if !container || !rec.is_empty() && rec.get(F::Id).is_some() {
            sink(Item::Record(rec));
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let sink = self.sink;
        while seq
            .next_element_seed(TopSeed {
                sink: &mut *sink,
                projection: self.projection,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        (self.sink)(Item::NotObject("a string"));
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        (self.sink)(Item::NotObject("a boolean"));
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        (self.sink)(Item::NotObject("a number"));
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        (self.sink)(Item::NotObject("a number"));
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        (self.sink)(Item::NotObject("a number"));
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        (self.sink)(Item::NotObject("null"));
        Ok(())
    }
}

/// Reads the keys of one object. `value`/`records` arrays are streamed into `sink` (when
/// given) and mark the object as a container.
fn visit_record<'de, A: MapAccess<'de>>(
    mut map: A,
    sink: &mut Option<&mut dyn FnMut(Item<'de>)>,
    container: &mut bool,
    projection: Projection,
) -> Result<WireRecord<'de>, A::Error> {
    let mut rec = WireRecord::default();
    let mut key = String::new();
    let mut norm = String::new();
    while let Some(borrowed) = map.next_key_seed(KeySeed(&mut key))? {
        let k = borrowed.unwrap_or(key.as_str());
        match lookup(Table::Json, k, &mut norm) {
            Some(F::Value) | Some(F::Records) if sink.is_some() => {
                if let Some(s) = sink.as_mut() {
                    let streamed = map.next_value_seed(ContainerSeed {
                        sink: &mut **s,
                        projection,
                    })?;
                    *container |= streamed;
                }
            }
            Some(F::Properties) => {
                let v = map.next_value_seed(PropertiesSeed(projection))?;
                match v {
                    Some(inner) => rec.properties = Some(Box::new(inner)),
                    None => continue,
                }
            }
            Some(f) if projection.reads(f) => {
                let v: Val<'de> = map.next_value()?;
                rec.set(f, v);
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(rec)
}

/// `value` / `records`: an array streamed element by element; anything else is ignored.
struct ContainerSeed<'a, 'de> {
    sink: &'a mut dyn FnMut(Item<'de>),
    projection: Projection,
}
impl<'de> DeserializeSeed<'de> for ContainerSeed<'_, 'de> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}
impl<'de> Visitor<'de> for ContainerSeed<'_, 'de> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of sign-in records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq
            .next_element_seed(ElementSeed {
                sink: &mut *self.sink,
                projection: self.projection,
            })?
            .is_some()
        {}
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// One element of a `value`/`records` array: a record (possibly an envelope).
struct ElementSeed<'a, 'de> {
    sink: &'a mut dyn FnMut(Item<'de>),
    projection: Projection,
}
impl<'de> DeserializeSeed<'de> for ElementSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let v = d.deserialize_any(RecordOrValue(self.projection))?;
        match v {
            Ok(rec) => (self.sink)(Item::Record(rec)),
            Err(t) => (self.sink)(Item::NotObject(t)),
        }
        Ok(())
    }
}

/// Deserializes an object into a record, or reports the type of a non-object.
struct RecordOrValue(Projection);
impl<'de> Visitor<'de> for RecordOrValue {
    type Value = Result<WireRecord<'de>, &'static str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut container = false;
        Ok(Ok(visit_record(map, &mut None, &mut container, self.0)?))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("an array"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
}

/// Diagnostic `properties`: an object (the sign-in) or, from Log Analytics-style tools,
/// JSON text holding one.
struct PropertiesSeed(Projection);
impl<'de> DeserializeSeed<'de> for PropertiesSeed {
    type Value = Option<WireRecord<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let v = d.deserialize_any(RecordOrValue(self.0))?;
        Ok(v.ok())
    }
}

// A `Projection` is one bit per field.
const _: () = assert!(F::COUNT <= 128);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_aliases_agree_with_normalised_lookup() {
        let mut buf = String::new();
        for (k, f) in JSON_ALIASES {
            norm_key(k, &mut buf);
            assert_eq!(table(Table::Json).get(buf.as_str()), Some(f), "{k}");
            assert_eq!(lookup(Table::Json, k, &mut buf), Some(*f), "{k}");
        }
        // Other spellings still go through normalisation.
        assert_eq!(
            lookup(Table::Json, "  CreatedDateTime ", &mut buf),
            Some(F::CreatedDateTime)
        );
    }

    #[test]
    fn projection_skips_only_what_it_names() {
        let p = Projection::without(&[F::AppliedConditionalAccessPolicies]);
        assert!(!p.reads(F::AppliedConditionalAccessPolicies));
        assert!(F::ALL
            .iter()
            .filter(|f| **f != F::AppliedConditionalAccessPolicies)
            .all(|f| p.reads(*f)));
        assert!(F::ALL.iter().all(|f| Projection::ALL.reads(*f)));
    }
}
