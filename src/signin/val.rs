//! A JSON value that borrows its strings from the input text: what the loader keeps of
//! each field it reads ([`super::wire::WireRecord`]) until normalisation copies out the
//! canonical record.
//!
//! It replaces `serde_json::Value` on the load path because that type allocates every
//! string and builds a hash-indexed map for every nested object (`preserve_order`), then
//! throws them away once the record is normalised. Here a string without escapes is a
//! slice of the input, and an object is a small vector of entries.
//!
//! Same reading as `serde_json::Value` with `preserve_order` (the slow twin; the unit
//! tests below compare both on every JSON fixture):
//! * a duplicate key keeps its first position and takes the last value;
//! * numbers are `serde_json::Number` (same integer / float distinctions).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;
use std::borrow::Cow;
use std::fmt;

/// A JSON value (variant names as `serde_json::Value`, so matching code reads the same).
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Val<'a>>),
    Object(Obj<'a>),
}

/// A JSON object: unique keys in first-seen order. Sign-in objects hold a handful of
/// keys, found by a linear scan; an object past [`INDEXED`] keys also gets a hash index,
/// so a hostile record with a huge object costs linear, not quadratic, time.
#[derive(Debug, Clone, Default)]
pub struct Obj<'a>(Vec<(Cow<'a, str>, Val<'a>)>, Option<Box<KeyIndex<'a>>>);

type KeyIndex<'a> = rustc_hash::FxHashMap<Cow<'a, str>, usize>;

/// Keys beyond which an object is indexed.
const INDEXED: usize = 32;

/// Entries an object is first given room for.
const OBJECT_ROOM: usize = 8;

impl PartialEq for Obj<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<'a> Obj<'a> {
    /// An empty object with room for a sign-in's nested object ([`OBJECT_ROOM`] keys),
    /// as `Val::deserialize` starts one.
    pub fn with_room() -> Obj<'a> {
        Obj(Vec::with_capacity(OBJECT_ROOM), None)
    }

    fn position(&self, k: &str) -> Option<usize> {
        match &self.1 {
            Some(index) => index.get(k).copied(),
            None => self.0.iter().position(|(e, _)| e == k),
        }
    }

    /// Insert as `IndexMap::insert` does: a present key keeps its place, takes the value.
    pub fn insert(&mut self, k: Cow<'a, str>, v: Val<'a>) {
        match self.position(&k) {
            Some(i) => self.0[i].1 = v,
            None => {
                if let Some(index) = &mut self.1 {
                    index.insert(k.clone(), self.0.len());
                }
                self.0.push((k, v));
                if self.1.is_none() && self.0.len() > INDEXED {
                    self.1 = Some(Box::new(
                        self.0
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (k.clone(), i))
                            .collect(),
                    ));
                }
            }
        }
    }

    pub fn get(&self, k: &str) -> Option<&Val<'a>> {
        self.position(k).map(|i| &self.0[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Val<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> Val<'a> {
    pub fn as_object(&self) -> Option<&Obj<'a>> {
        match self {
            Val::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The same value owning its strings (no borrow of the input left); for comparing
    /// with the slow twin.
    #[cfg(test)]
    pub fn into_owned(self) -> Val<'static> {
        match self {
            Val::Null => Val::Null,
            Val::Bool(b) => Val::Bool(b),
            Val::Number(n) => Val::Number(n),
            Val::String(s) => Val::String(Cow::Owned(s.into_owned())),
            Val::Array(a) => Val::Array(a.into_iter().map(Val::into_owned).collect()),
            Val::Object(o) => {
                let mut out = Obj::default();
                for (k, v) in o.0 {
                    out.insert(Cow::Owned(k.into_owned()), v.into_owned());
                }
                Val::Object(out)
            }
        }
    }
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(s: &'a str) -> Self {
        Val::String(Cow::Borrowed(s))
    }
}

impl From<i64> for Val<'_> {
    fn from(n: i64) -> Self {
        Val::Number(n.into())
    }
}

/// The slow twin's reading converted, for comparison.
#[cfg(test)]
impl From<serde_json::Value> for Val<'static> {
    fn from(v: serde_json::Value) -> Self {
        use serde_json::Value as J;
        match v {
            J::Null => Val::Null,
            J::Bool(b) => Val::Bool(b),
            J::Number(n) => Val::Number(n),
            J::String(s) => Val::String(Cow::Owned(s)),
            J::Array(a) => Val::Array(a.into_iter().map(Val::from).collect()),
            J::Object(m) => {
                let mut out = Obj::default();
                for (k, v) in m {
                    out.insert(Cow::Owned(k), Val::from(v));
                }
                Val::Object(out)
            }
        }
    }
}

impl fmt::Display for Val<'_> {
    /// Compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_string(self) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl Serialize for Val<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Null => s.serialize_unit(),
            Val::Bool(b) => s.serialize_bool(*b),
            Val::Number(n) => n.serialize(s),
            Val::String(t) => s.serialize_str(t),
            Val::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Val::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

/// A map key, borrowed when the input allows it.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val<'de>, E> {
        Ok(Val::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val<'de>, E> {
        Ok(Val::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val<'de>, E> {
        // As serde_json::Value: a non-finite float (not produced by JSON text) is null.
        Ok(Number::from_f64(v).map_or(Val::Null, Val::Number))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::String(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Val<'de>, E> {
        Ok(Val::String(Cow::Owned(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        Deserialize::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Val::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        // JSON gives no size hint; the nested objects of a sign-in (deviceDetail,
        // authenticationDetails[], status, location) hold 3 to 8 keys, so room for 8 is
        // one allocation where growing from empty was two and a copy.
        let mut o = Obj(
            Vec::with_capacity(map.size_hint().unwrap_or(OBJECT_ROOM).min(64)),
            None,
        );
        while let Some(Key(k)) = map.next_key()? {
            let v: Val<'de> = map.next_value()?;
            o.insert(k, v);
        }
        Ok(Val::Object(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed as `serde_json::Value` (with `preserve_order`) and converted: the reading
    /// `Val` must equal.
    fn slow_twin(text: &str) -> Option<Val<'static>> {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .map(Val::from)
    }

    #[test]
    fn reads_as_serde_json_value_does() {
        let cases = [
            r#"{"a":1,"b":[true,null,"x\"y",1.5,-3,18446744073709551615],"c":{"d":"e"}}"#,
            r#"{"k":1,"j":2,"k":3}"#,
            r#"{"k":{"x":1},"k":"later"}"#,
            r#"["\u00e9t\u00e9", "plain", {"": ""}]"#,
            r#"1e400"#,
            r#""s""#,
            r#"{"deep":[[[[{"a":[]}]]]]}"#,
        ];
        for c in cases {
            let fast: Option<Val<'_>> = serde_json::from_str(c).ok();
            assert_eq!(fast.map(Val::into_owned), slow_twin(c), "{c}");
            if let Some(v) = slow_twin(c) {
                // Same compact text as serde_json writes.
                let j: serde_json::Value = serde_json::from_str(c).unwrap_or_default();
                assert_eq!(v.to_string(), j.to_string(), "{c}");
            }
        }
    }

    #[test]
    fn large_objects_are_indexed_and_read_the_same() {
        // 200 keys, every tenth repeated later with a new value: past the index threshold.
        let mut text = String::from("{");
        for i in 0..200 {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        for i in (0..200).step_by(10) {
            text.push_str(&format!("\"k{i}\":\"again {i}\","));
        }
        text.push_str("\"last\":true}");
        let fast: Option<Val<'_>> = serde_json::from_str(&text).ok();
        assert_eq!(fast.clone().map(Val::into_owned), slow_twin(&text));
        let o = fast
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        assert_eq!(o.len(), 201);
        assert_eq!(o.get("k30"), Some(&Val::from("again 30")));
        assert_eq!(o.get("k31"), Some(&Val::from(31i64)));
        assert_eq!(o.iter().next().map(|(k, _)| k), Some("k0"));
    }

    #[test]
    fn unescaped_strings_borrow_the_input() {
        let text = r#"{"key":"value","esc":"a\nb"}"#;
        let v: Val<'_> = serde_json::from_str(text).unwrap_or(Val::Null);
        let o = v.as_object().cloned().unwrap_or_default();
        assert!(matches!(
            o.get("key"),
            Some(Val::String(Cow::Borrowed("value")))
        ));
        assert!(matches!(o.get("esc"), Some(Val::String(Cow::Owned(_)))));
    }

    #[test]
    fn every_json_fixture_reads_as_serde_json_value_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        for dir in ["tests/fixtures", "datasets/seed-registration/signins"] {
            let Ok(walk) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            let mut stack: Vec<std::path::PathBuf> = walk.flatten().map(|e| e.path()).collect();
            while let Some(p) = stack.pop() {
                if p.is_dir() {
                    stack.extend(
                        std::fs::read_dir(&p)
                            .into_iter()
                            .flatten()
                            .flatten()
                            .map(|e| e.path()),
                    );
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                let name = p.display().to_string();
                let texts: Vec<&str> = if name.ends_with(".json") {
                    vec![text.as_str()]
                } else if name.ends_with(".ndjson") || name.ends_with(".jsonl") {
                    text.lines().collect()
                } else {
                    continue;
                };
                for t in texts {
                    let fast: Option<Val<'_>> = serde_json::from_str(t).ok();
                    assert_eq!(fast.map(Val::into_owned), slow_twin(t), "{name}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 50, "only {compared} JSON texts compared");
    }
}
