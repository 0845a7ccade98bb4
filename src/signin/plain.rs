//! A direct reader for the common case of one JSON text holding one sign-in object of
//! plain values, so that a replay does not pay serde's generic machinery per value.
//!
//! [`record`] either returns exactly the [`WireRecord`] that the serde path
//! (`wire::TopSeed` over `serde_json`) builds from the same text, or `None`, and the
//! caller then takes the serde path, which reads or rejects the text as before. It never
//! decides that a text is bad: every error message still comes from `serde_json`.
//!
//! It gives up (`None`) on anything it does not read the way `serde_json` does, in full:
//! * a number other than a plain integer (`0`, `12`, `-3`: fractions, exponents, `-0` and
//!   integers of 19 digits or more are serde's);
//! * a `\u` escape in a string that is read (other escapes are decoded; skipped
//!   strings are checked as `serde_json` checks them: a known escape, 4 hex digits after
//!   `\u`, no control character);
//! * a container key (`value`, `records`, `properties`: Graph pages, Event Hub bodies and
//!   diagnostic envelopes stay with `TopSeed`), a key with an escape;
//! * nesting deeper than [`DEPTH`] (`serde_json` stops at 128);
//! * any syntax error, and anything but whitespace after the object.
//!
//! Skipped fields (unknown keys, or keys the projection leaves out) are checked for JSON
//! syntax as `serde_json`'s `IgnoredAny` checks them, so a text that the serde path
//! rejects is never read here. The slow twin is the serde path itself; the tests below
//! compare both on every JSON fixture, on generated records and on their mutations.

use super::val::{Obj, Val};
use super::wire::{lookup, Projection, Table, WireRecord, F};
use serde_json::Number;
use std::borrow::Cow;

/// Nesting beyond which the serde path reads the text.
const DEPTH: usize = 64;

/// The record in `text`, when it is one plain object (module docs), else `None`.
pub fn record(text: &str, projection: Projection) -> Option<WireRecord<'_>> {
    let mut p = Parser {
        src: text,
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return None;
    }
    let mut rec = WireRecord::default();
    let mut norm = String::new();
    p.items(b'}', 0, |p| {
        let key = p.key()?;
        p.colon()?;
        match lookup(Table::Json, key, &mut norm) {
            Some(F::Value | F::Records | F::Properties) => None,
            Some(f) if projection.reads(f) => {
                let v = p.value(1)?;
                rec.set(f, v);
                Some(())
            }
            _ => p.skip(1),
        }
    })?;
    p.ws();
    (p.i == p.s.len()).then_some(rec)
}

struct Parser<'a> {
    src: &'a str,
    s: &'a [u8],
    i: usize,
}

/// Offset of the first `"`, `\` or control character in `s` at or after `i` (`s.len()`
/// when there is none), eight bytes at a time: the same test as `serde_json`'s
/// `skip_to_escape`. The lowest flagged byte of a word is always a real match.
fn string_stop(s: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = s.get(i..i + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(word);
        let w = u64::from_le_bytes(b);
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        let hits = ((quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = s.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn colon(&mut self) -> Option<()> {
        self.ws();
        (self.peek() == Some(b':')).then(|| self.i += 1)?;
        self.ws();
        Some(())
    }

    /// The items of the container whose opening bracket is at `self.i`, closed by
    /// `close`, each read by `item` (which stops at the item's end); `None` past
    /// [`DEPTH`] or on any syntax error.
    fn items(
        &mut self,
        close: u8,
        depth: usize,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if depth >= DEPTH {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Some(());
        }
        loop {
            item(self)?;
            if !self.comma_or_close(close)? {
                return Some(());
            }
        }
    }

    /// After a value in a container closed by `close`: true on `,` (another value
    /// follows), false on `close`.
    fn comma_or_close(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            self.ws();
            Some(true)
        } else {
            (c == close).then_some(false)
        }
    }

    /// A key without escapes, as a slice of the input.
    fn key(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.i + 1;
        let end = string_stop(self.s, start);
        if self.s.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        self.src.get(start..end)
    }

    /// A string read as `serde_json` reads it into `str`: borrowed without escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.i + 1;
        let end = string_stop(self.s, start);
        match self.s.get(end)? {
            b'"' => {
                self.i = end + 1;
                self.src.get(start..end).map(Cow::Borrowed)
            }
            b'\\' => {
                let mut out = String::with_capacity(end - start + 16);
                out.push_str(self.src.get(start..end)?);
                let mut at = end;
                loop {
                    // At a backslash.
                    let c = match self.s.get(at + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        _ => return None,
                    };
                    out.push(c);
                    let from = at + 2;
                    let to = string_stop(self.s, from);
                    out.push_str(self.src.get(from..to)?);
                    match self.s.get(to)? {
                        b'"' => {
                            self.i = to + 1;
                            return Some(Cow::Owned(out));
                        }
                        b'\\' => at = to,
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// Past a string, checked as `serde_json` checks an ignored one.
    fn skip_string(&mut self) -> Option<()> {
        let mut at = self.i + 1;
        loop {
            let stop = string_stop(self.s, at);
            match self.s.get(stop)? {
                b'"' => {
                    self.i = stop + 1;
                    return Some(());
                }
                b'\\' => match self.s.get(stop + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at = stop + 2,
                    b'u' => {
                        let hex = self.s.get(stop + 2..stop + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        at = stop + 6;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        (self.s.get(self.i..self.i + word.len())? == word).then(|| self.i += word.len())
    }

    /// A plain integer, as `serde_json` reads it: `u64` when not negative, else `i64`.
    fn integer(&mut self) -> Option<Number> {
        let negative = self.peek() == Some(b'-');
        let start = self.i + usize::from(negative);
        let mut end = start;
        while let Some(b'0'..=b'9') = self.s.get(end) {
            end += 1;
        }
        let digits = self.s.get(start..end)?;
        let plain = match digits {
            [] => false,
            [b'0'] => !negative,
            [b'0', ..] => false,
            _ => digits.len() < 19,
        };
        if !plain || matches!(self.s.get(end), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let n = digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        self.i = end;
        if negative {
            Some(Number::from(-i64::try_from(n).ok()?))
        } else {
            Some(Number::from(n))
        }
    }

    /// Past a number, checked as `serde_json`'s `ignore_integer` checks it.
    fn skip_number(&mut self) -> Option<()> {
        let mut at = self.i + usize::from(self.peek() == Some(b'-'));
        let digits = |at: &mut usize| {
            let from = *at;
            while let Some(b'0'..=b'9') = self.s.get(*at) {
                *at += 1;
            }
            *at - from
        };
        match self.s.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                digits(&mut at);
            }
            _ => return None,
        }
        if let Some(b'0'..=b'9') = self.s.get(at) {
            return None;
        }
        if self.s.get(at) == Some(&b'.') {
            at += 1;
            if digits(&mut at) == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.s.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = self.s.get(at) {
                at += 1;
            }
            if digits(&mut at) == 0 {
                return None;
            }
        }
        self.i = at;
        Some(())
    }

    /// A value read into a [`Val`] as `Val::deserialize` reads it.
    fn value(&mut self, depth: usize) -> Option<Val<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Val::String),
            b'{' => {
                let mut o = Obj::with_room();
                self.items(b'}', depth, |p| {
                    let k = p.key()?;
                    p.colon()?;
                    let v = p.value(depth + 1)?;
                    o.insert(Cow::Borrowed(k), v);
                    Some(())
                })?;
                Some(Val::Object(o))
            }
            b'[' => {
                let mut a = Vec::new();
                self.items(b']', depth, |p| {
                    a.push(p.value(depth + 1)?);
                    Some(())
                })?;
                Some(Val::Array(a))
            }
            b't' => self.literal(b"true").map(|()| Val::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Val::Bool(false)),
            b'n' => self.literal(b"null").map(|()| Val::Null),
            b'-' | b'0'..=b'9' => self.integer().map(Val::Number),
            _ => None,
        }
    }

    /// Past a value, checked as `serde_json`'s `ignore_value` checks it.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => self.items(b'}', depth, |p| {
                if p.peek() != Some(b'"') {
                    return None;
                }
                p.skip_string()?;
                p.colon()?;
                p.skip(depth + 1)
            }),
            b'[' => self.items(b']', depth, |p| p.skip(depth + 1)),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::frame::Framer;
    use super::super::wire::{Item, TopSeed};
    use super::super::REPLAY_SKIPS;
    use super::*;
    use proptest::prelude::*;
    use serde::de::DeserializeSeed;

    /// The slow twin: the serde path's reading of `text`, when it is one record.
    fn serde_record(text: &str, projection: Projection) -> Option<WireRecord<'_>> {
        let mut items: Vec<Item<'_>> = Vec::new();
        let mut sink = |i| items.push(i);
        let mut de = serde_json::Deserializer::from_str(text);
        TopSeed {
            sink: &mut sink,
            projection,
        }
        .deserialize(&mut de)
        .ok()?;
        de.end().ok()?;
        match items.pop() {
            Some(Item::Record(r)) if items.is_empty() => Some(r),
            _ => None,
        }
    }

    const PROJECTIONS: [fn() -> Projection; 2] =
        [|| Projection::ALL, || Projection::without(REPLAY_SKIPS)];

    /// Whenever the direct reader reads `text`, the serde path reads the same record.
    /// True when the direct reader read it.
    fn agrees(text: &str) -> bool {
        let mut read = false;
        for p in PROJECTIONS.map(|p| p()) {
            if let Some(fast) = record(text, p) {
                assert_eq!(Some(fast), serde_record(text, p), "{text}");
                read = true;
            }
        }
        read
    }

    /// Every JSON text of every file under `dir`, and every object in them (re-written
    /// compactly, as a JSON Lines export holds it).
    fn texts_under(dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                texts_under(&p, out);
                continue;
            }
            if p.extension()
                .is_some_and(|x| x == "csv" || x == "md" || x == "gz")
            {
                continue;
            }
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            let mut f = Framer::new();
            let mut texts = Vec::new();
            let _ = f.run(&bytes[..], &mut |t| texts.push(t.bytes.to_vec()));
            for t in texts {
                let Ok(s) = String::from_utf8(t) else {
                    continue;
                };
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&s) {
                    objects(&v, out);
                }
                out.push(s);
            }
        }
    }

    fn objects(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                out.push(v.to_string());
                for k in ["value", "records", "properties"] {
                    if let Some(inner) = m.get(k) {
                        objects(inner, out);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|e| objects(e, out)),
            _ => {}
        }
    }

    // Only the fixtures: the direct reader declines every one of the 194 texts of the real
    // samples (../shared/datasets/real/signins), so comparing it with serde there checked
    // nothing while looking like coverage.
    #[test]
    fn direct_reader_agrees_with_serde_on_every_json_fixture() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        texts_under(&root.join("tests/fixtures/signin"), &mut texts);
        let read = texts.iter().filter(|t| agrees(t)).count();
        // The fixtures' records are read directly; pages and envelopes are not.
        assert!(read >= 20, "{read} of {} texts read directly", texts.len());
        assert!(read < texts.len(), "pages and envelopes go to serde");
    }

    #[test]
    fn direct_reader_takes_plain_records_and_leaves_the_rest() {
        let read = [
            r#"{"id":"a","userId":"u","status":{"errorCode":0,"failureReason":null}}"#,
            " \t{ \"id\" : \"a\" , \"x\" : [1, -2, {\"y\": [true, false, null]}] }\r\n",
            r#"{"id":"a\"b\\c\/d\n","unknown":"\u00e9\ud83d\ude00","n":1.5e3}"#,
            r#"{"id":"a","id":"","appliedConditionalAccessPolicies":[{"id":"p","result":"success"}]}"#,
            r#"{}"#,
        ];
        for t in read {
            assert!(agrees(t), "not read directly: {t}");
        }
        let left = [
            r#"{"value":[{"id":"a"}]}"#,
            r#"{"properties":{"id":"a"},"time":"t"}"#,
            r#"{"id":"\u00e9"}"#,
            r#"{"id":"a","status":{"errorCode":1.0}}"#,
            r#"{"id":"a","status":{"errorCode":-0}}"#,
            r#"{"id":"a","status":{"errorCode":12345678901234567890}}"#,
            r#"{"i\u0064":"a"}"#,
            r#"[{"id":"a"}]"#,
            r#"{"id":"a"} {"id":"b"}"#,
            r#"{"id":"a",}"#,
            r#"{"id":"a","x":[1,]}"#,
            r#"{"id":"a","x":01}"#,
            r#"{"id":"a","status":{"errorCode":01}}"#,
            r#"{"id":"a","status":{"errorCode":-}}"#,
            r#"{"id":"a","x":"\x"}"#,
            r#"{"id":"a","x":"\u12"}"#,
            "{\"id\":\"a\u{1}\"}",
            r#"{"id":"a","x":tru}"#,
            r#"{"id":"a""#,
        ];
        for t in left {
            assert!(record(t, Projection::ALL).is_none(), "read directly: {t}");
        }
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(70), "]".repeat(70));
        assert!(record(&deep, Projection::ALL).is_none());
        assert!(serde_record(&deep, Projection::ALL).is_some());
    }

    /// Keys: every alias family, skipped fields, unknown keys and containers.
    const KEYS: &[&str] = &[
        "id",
        "createdDateTime",
        "userId",
        "UserPrincipalName",
        "appId",
        "ipAddress",
        "status",
        "deviceDetail",
        "location",
        "authenticationDetails",
        "appliedConditionalAccessPolicies",
        "correlationId",
        "errorCode",
        "isInteractive",
        "signInEventTypes",
        "TimeGenerated",
        "unknownKey",
        " userType ",
        "value",
        "properties",
    ];

    fn json_string() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9 .@:-]{0,12}",
                Just("\\\"".to_string()),
                Just("\\\\".to_string()),
                Just("\\/".to_string()),
                Just("\\n\\t\\r\\b\\f".to_string()),
                Just("\\u00e9".to_string()),
                Just("é€😀".to_string()),
            ],
            0..4,
        )
        .prop_map(|parts| format!("\"{}\"", parts.concat()))
    }

    fn json_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            json_string(),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
            "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
            // Not JSON: serde's to reject.
            "-?0[0-9]{1,2}|-|[0-9]\\.|1e",
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(" , "))),
                proptest::collection::vec((json_string(), inner), 0..4).prop_map(|v| {
                    let e: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", e.join(","))
                }),
            ]
        })
    }

    fn json_record() -> impl Strategy<Value = String> {
        proptest::collection::vec((proptest::sample::select(KEYS), json_value()), 0..8).prop_map(
            |fields| {
                let e: Vec<String> = fields
                    .into_iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect();
                format!("{{{}}}", e.join(","))
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn direct_reader_agrees_with_serde_on_generated_records(text in json_record()) {
            agrees(&text);
        }

        #[test]
        fn direct_reader_agrees_with_serde_on_mutated_records(
            text in json_record(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..4),
        ) {
            let mut b = text.into_bytes();
            for (at, op, byte) in edits {
                if b.is_empty() {
                    break;
                }
                let i = at.index(b.len());
                // Printable ASCII and JSON's own bytes, so most mutations stay UTF-8.
                const BYTES: &[u8] = b"{}[],:\"\\ 0123456789-+.eEtrufalsn\t\x01x";
                let c = BYTES[usize::from(byte) % BYTES.len()];
                match op {
                    0 => { b.remove(i); }
                    1 => b.insert(i, c),
                    _ => b[i] = c,
                }
            }
            if let Ok(t) = String::from_utf8(b) {
                agrees(&t);
            }
        }
    }
}
