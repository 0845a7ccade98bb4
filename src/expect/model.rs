//! The expectations file, as written: what a policy change must keep. Data only; `load`
//! reads and checks it, `select` resolves selectors against the tenant, `check` judges
//! outcomes. The format is documented in the README ("Regression expectations") and in
//! `schemas/expectations.schema.json`.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// One expectations file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExpectationsFile {
    /// Format version; only 1 exists.
    #[serde(default)]
    pub version: Option<u32>,
    pub expectations: Vec<Expectation>,
}

/// One expectation: which events, and the outcome each of them must have.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub name: String,
    /// Why the outcome matters (shown with a failure, so a reviewer knows what broke).
    pub reason: String,
    /// Logged events to check; every field given must match (AND), a list matches any of
    /// its values (OR). `{}` selects every event.
    #[serde(default)]
    pub select: Option<Selector>,
    /// Hypothetical sign-ins in `careplay whatif`'s vocabulary (its flags without `--`).
    #[serde(default)]
    pub whatif: Vec<serde_json::Map<String, serde_json::Value>>,
    pub expect: Expected,
    /// With `challenged`: controls the challenge must ask for (all of them).
    #[serde(default, rename = "for", deserialize_with = "one_or_many")]
    pub for_controls: Vec<String>,
    /// A selector matching no logged event passes instead of failing.
    #[serde(default)]
    pub allow_empty: bool,
}

/// The outcome every selected event must have under the candidate policy set.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    Allowed,
    Challenged,
    Blocked,
    /// Decided (allowed, challenged or blocked), whichever.
    NotUnknown,
    /// Allowed or challenged; an Unknown outcome fails (it may be a block).
    NeverBlocked,
}

impl Expected {
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Allowed => "allowed",
            Expected::Challenged => "challenged",
            Expected::Blocked => "blocked",
            Expected::NotUnknown => "not_unknown",
            Expected::NeverBlocked => "never_blocked",
        }
    }
}

/// Which logged events an expectation is about.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// User object id or UPN (a guest's `#EXT#` UPN or its home UPN).
    #[serde(default, deserialize_with = "one_or_many")]
    pub user: Vec<String>,
    /// Group object id or display name, transitively, from the directory snapshot.
    #[serde(default, deserialize_with = "one_or_many")]
    pub group: Vec<String>,
    /// Directory role template id (active assignments), from the directory snapshot.
    #[serde(default, deserialize_with = "one_or_many")]
    pub role: Vec<String>,
    /// Member or guest, from the directory snapshot.
    #[serde(default, deserialize_with = "one_or_many")]
    pub user_type: Vec<UserTypeSel>,
    /// App id or display name: the client app or the resource.
    #[serde(default, deserialize_with = "one_or_many")]
    pub app: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub user_action: Vec<UserActionSel>,
    /// Named location display name or id (IP ranges or countries).
    #[serde(default, deserialize_with = "one_or_many")]
    pub location: Vec<String>,
    /// The IP is (true) or is not (false) in a trusted named location.
    #[serde(default)]
    pub trusted_location: Option<bool>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub client_app: Vec<ClientAppSel>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub event_type: Vec<EventTypeSel>,
    /// Request ids (`request_id` of `--events-out`).
    #[serde(default, deserialize_with = "one_or_many")]
    pub event_id: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum UserTypeSel {
    Member,
    Guest,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum UserActionSel {
    #[serde(alias = "urn:user:registersecurityinfo")]
    RegisterSecurityInfo,
    #[serde(alias = "urn:user:registerdevice")]
    RegisterDevice,
    /// Known to involve no user action.
    None,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ClientAppSel {
    Browser,
    MobileAppsAndDesktopClients,
    ExchangeActiveSync,
    Other,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum EventTypeSel {
    InteractiveUser,
    NonInteractiveUser,
    ServicePrincipal,
    ManagedIdentity,
}

impl ClientAppSel {
    /// The `client_app_type` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAppSel::Browser => "browser",
            ClientAppSel::MobileAppsAndDesktopClients => "mobileAppsAndDesktopClients",
            ClientAppSel::ExchangeActiveSync => "exchangeActiveSync",
            ClientAppSel::Other => "other",
        }
    }
}

impl EventTypeSel {
    /// The `event_type` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventTypeSel::InteractiveUser => "interactiveUser",
            EventTypeSel::NonInteractiveUser => "nonInteractiveUser",
            EventTypeSel::ServicePrincipal => "servicePrincipal",
            EventTypeSel::ManagedIdentity => "managedIdentity",
        }
    }
}

/// A value or a list of values (`user: a@x` or `user: [a@x, b@x]`); list items keep their
/// index in error paths.
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
            T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|t| vec![t])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(t) = seq.next_element()? {
                out.push(t);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V(PhantomData))
}
