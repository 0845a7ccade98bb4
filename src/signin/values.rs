//! Lenient readers for single values: the same fact arrives as a JSON value, as JSON text
//! inside a string (Log Analytics, signin-logs.md §5.2), or as CSV cell text.

use super::reject::{excerpt, Reject, RejectKind};
use super::val::Val;
use crate::model::text;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv6Addr};

/// Text of a scalar (`""` kept), borrowing a string value. Numbers and booleans become
/// their JSON text; objects and arrays are not text (`None`).
pub fn text_ref<'v>(v: Option<&'v Val<'_>>) -> Option<Cow<'v, str>> {
    match v? {
        Val::String(s) => Some(Cow::Borrowed(text::trim(s))),
        Val::Number(n) => Some(Cow::Owned(n.to_string())),
        Val::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// [`text_ref`], owned (for text kept in the record).
pub fn text(v: Option<&Val<'_>>) -> Option<String> {
    text_ref(v).map(Cow::into_owned)
}

/// Text with `""` mapped to `None`.
pub fn text_nonempty(v: Option<&Val<'_>>) -> Option<String> {
    text(v).filter(|s| !s.is_empty())
}

/// [`text_nonempty`] borrowing the value's string instead of copying it (for text that is
/// only looked at, not kept in the record).
pub fn text_nonempty_ref<'v>(v: Option<&'v Val<'_>>) -> Option<Cow<'v, str>> {
    text_ref(v).filter(|s| !s.is_empty())
}

/// Whether `hay` contains `needle` (ASCII lower case) ignoring ASCII case, without
/// lower-casing `hay` into a new string.
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    needle.is_empty()
        || hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `s` ASCII-lower-cased into `buf` when it fits, else `None`: the allocation-free form of
/// `s.to_ascii_lowercase()` for matching a short name once per record (callers fall back
/// to the allocating form for longer text, so the result never differs).
fn lower_into<'b>(s: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let out = buf.get_mut(..s.len())?;
    out.copy_from_slice(s.as_bytes());
    out.make_ascii_lowercase();
    // ASCII case changes keep UTF-8 valid.
    std::str::from_utf8(out).ok()
}

/// The ASCII letters and digits of `s`, lower-cased, into `buf` when they fit, else
/// `None`: the allocation-free form of
/// `s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()`.
fn squash_into<'b>(s: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_alphanumeric) {
        *buf.get_mut(n)? = b.to_ascii_lowercase();
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// [`squash_into`] with its allocating fallback.
pub fn squash<'b>(s: &str, buf: &'b mut [u8; 64]) -> Cow<'b, str> {
    match squash_into(s, buf) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase(),
        ),
    }
}

/// [`lower_into`] with its allocating fallback.
pub fn lower<'b>(s: &str, buf: &'b mut [u8; 64]) -> Cow<'b, str> {
    match lower_into(s, buf) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s.to_ascii_lowercase()),
    }
}

/// PowerShell `ConvertTo-Json` beyond `-Depth` writes nested objects as type names
/// (signin-logs.md §1 G5): such a string means the value was lost, not malformed.
pub fn is_flattened_type_name(s: &str) -> bool {
    let s = text::trim(s);
    s.starts_with("Microsoft.Graph.") || s.starts_with("System.Collections.")
}

/// A nested value: the value itself, or JSON text that parses to one. Empty text and
/// `null` are absent; PowerShell type names are absent (and reported via `lost`).
pub fn nested<'a>(
    v: Option<&'a Val<'a>>,
    field: &str,
    lost: &mut bool,
) -> Result<Option<Cow<'a, Val<'a>>>, Reject> {
    match v {
        None | Some(Val::Null) => Ok(None),
        Some(Val::String(s)) => {
            let t = text::trim(s);
            if t.is_empty() {
                return Ok(None);
            }
            if is_flattened_type_name(t) {
                *lost = true;
                return Ok(None);
            }
            serde_json::from_str::<Val<'a>>(t)
                .map(|v| Some(Cow::Owned(v)))
                .map_err(|e| {
                    Reject::new(
                        RejectKind::BadNestedJson,
                        format!(
                            "`{field}` holds `{}`: expected a JSON object/array or JSON text ({e})",
                            excerpt(t)
                        ),
                    )
                })
        }
        Some(other) => Ok(Some(Cow::Borrowed(other))),
    }
}

/// Case-insensitive key lookup inside a nested object.
pub fn key<'a>(obj: &'a Val<'a>, name: &str) -> Option<&'a Val<'a>> {
    let m = obj.as_object()?;
    m.get(name).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Boolean from `true/false`, `True/False`, `yes/no`, `1/0`; empty = absent.
pub fn flag(v: Option<&Val<'_>>, field: &str) -> Result<Option<bool>, Reject> {
    match v {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Bool(b)) => Ok(Some(*b)),
        Some(Val::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Ok(Some(n.as_i64() == Some(1)))
        }
        Some(Val::String(s)) => {
            let t = text::trim(s);
            if t.is_empty() {
                return Ok(None);
            }
            match t.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Ok(Some(true)),
                "false" | "no" | "0" => Ok(Some(false)),
                _ => Err(Reject::new(
                    RejectKind::BadValue,
                    format!("`{field}` is `{}`: expected true/false", excerpt(t)),
                )),
            }
        }
        Some(other) => Err(Reject::new(
            RejectKind::BadValue,
            format!("`{field}` is {}: expected true/false", short_json(other)),
        )),
    }
}

/// Integer (number or numeric text); empty = absent.
pub fn int(v: Option<&Val<'_>>, field: &str) -> Result<Option<i32>, Reject> {
    let bad = |shown: String| {
        Reject::new(
            RejectKind::BadValue,
            format!("`{field}` is {shown}: expected an integer error code"),
        )
    };
    match v {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(Some)
            .ok_or_else(|| bad(n.to_string())),
        Some(Val::String(s)) => {
            let t = text::trim(s);
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i32>()
                .map(Some)
                .map_err(|_| bad(format!("`{}`", excerpt(t))))
        }
        Some(other) => Err(bad(short_json(other))),
    }
}

fn short_json(v: &Val<'_>) -> String {
    excerpt(&v.to_string())
}

/// List of strings: a JSON array of strings, JSON text of one, or `a, b` / `a;b` text.
pub fn string_list(
    v: Option<&Val<'_>>,
    field: &str,
    lost: &mut bool,
) -> Result<Option<Vec<String>>, Reject> {
    if let Some(Val::String(s)) = v {
        let t = text::trim(s);
        if !t.is_empty() && !t.starts_with('[') && !is_flattened_type_name(t) {
            return Ok(Some(
                t.split([',', ';'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect(),
            ));
        }
    }
    let Some(n) = nested(v, field, lost)? else {
        return Ok(None);
    };
    match n.as_ref() {
        Val::Array(items) => Ok(Some(
            items
                .iter()
                .filter_map(|i| text_nonempty(Some(i)))
                .collect(),
        )),
        Val::String(s) => Ok(Some(vec![s.to_string()])),
        other => Err(Reject::new(
            RejectKind::BadValue,
            format!(
                "`{field}` is {}: expected a list of strings",
                short_json(other)
            ),
        )),
    }
}

/// Parse an IP address the way sign-in logs write it (signin-logs.md §8.3): strip
/// `[` `]` and a `:port` suffix, map IPv4-mapped IPv6 to IPv4.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let t = text::trim(s);
    let ip = if let Ok(ip) = t.parse::<IpAddr>() {
        ip
    } else if let Some(rest) = t.strip_prefix('[') {
        // [v6] or [v6]:port
        let end = rest.find(']')?;
        let inner = &rest[..end];
        let tail = &rest[end + 1..];
        if !(tail.is_empty() || (tail.starts_with(':') && tail[1..].parse::<u16>().is_ok())) {
            return None;
        }
        inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)?
    } else {
        // v4:port (a bare v6 address has several colons and already failed above)
        let (host, port) = t.rsplit_once(':')?;
        if host.contains(':') || port.parse::<u16>().is_err() {
            return None;
        }
        host.parse::<IpAddr>().ok()?
    };
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    })
}

/// The canonical text of the address in `raw` ([`parse_ip`] formatted), `None` when it is
/// not one. A plain dotted-quad IPv4 text is returned as it is: the standard parser takes
/// no other spelling of one (no leading zeros, no port), so it is already canonical, and
/// nearly every record's IP is spared a second parse and formatting.
pub fn canonical_ip(raw: &str) -> Option<Cow<'_, str>> {
    if raw.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some(Cow::Borrowed(raw));
    }
    parse_ip(raw).map(|ip| Cow::Owned(ip.to_string()))
}

/// Timestamp formats seen in exports (signin-logs.md §4.2, §5.4, §6.2): RFC 3339 with any
/// fraction and offset; ISO without offset (UTC, portal "Date (UTC)"); Log Analytics
/// US-locale `5/25/2023, 4:32:49.469 AM`; PowerShell `/Date(ms)/`.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let t = text::trim(s);
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Some(ms) = t
        .strip_prefix("/Date(")
        .and_then(|r| r.strip_suffix(")/"))
        .and_then(|r| r.parse::<i64>().ok())
    {
        return Utc.timestamp_millis_opt(ms).single();
    }
    const NAIVE: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.fZ",
        "%m/%d/%Y, %I:%M:%S%.f %p",
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%m/%d/%Y, %H:%M:%S%.f",
        "%m/%d/%Y %H:%M:%S%.f",
    ];
    for f in NAIVE {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    None
}

/// Optional timestamp; present but unreadable = rejection.
pub fn time(v: Option<&Val<'_>>, field: &str) -> Result<Option<DateTime<Utc>>, Reject> {
    match v {
        None | Some(Val::Null) => Ok(None),
        Some(Val::String(s)) if text::trim(s).is_empty() => Ok(None),
        // Microsecond precision: the canonical column is Datetime(us) (schema.rs).
        Some(Val::String(s)) => parse_time(s).map(|t| Utc.timestamp_micros(t.timestamp_micros()).single()).ok_or_else(|| {
            Reject::new(
                RejectKind::BadTimestamp,
                format!(
                    "`{field}` is `{}`: expected an ISO-8601/RFC 3339 date-time (or M/D/YYYY, h:mm:ss AM)",
                    excerpt(text::trim(s))
                ),
            )
        }),
        Some(other) => Err(Reject::new(
            RejectKind::BadTimestamp,
            format!(
                "`{field}` is {}: expected an ISO-8601/RFC 3339 date-time string",
                short_json(other)
            ),
        )),
    }
}

/// conditionalAccessConditions flag bits (signin-logs.md §3.4). Unknown names map to the
/// `unknownFutureValue` bit (4096) so they stay visible.
pub fn condition_bits(v: Option<&Val<'_>>) -> Option<u32> {
    const BITS: &[(&str, u32)] = &[
        ("none", 0),
        ("application", 1),
        ("users", 2),
        ("deviceplatform", 4),
        ("location", 8),
        ("clienttype", 16),
        ("signinrisk", 32),
        ("userrisk", 64),
        ("time", 128),
        ("devicestate", 256),
        ("client", 512),
        ("ipaddressseenbyazuread", 1024),
        ("ipaddressseenbyresourceprovider", 2048),
        ("unknownfuturevalue", 4096),
        ("serviceprincipals", 8192),
        ("serviceprincipalrisk", 16384),
        ("authenticationflows", 32768),
        ("insiderrisk", 65536),
    ];
    match v? {
        Val::Number(n) => n.as_u64().and_then(|x| u32::try_from(x).ok()),
        Val::String(s) => {
            let t = text::trim(s);
            if t.is_empty() {
                return None;
            }
            if let Ok(n) = t.parse::<u32>() {
                return Some(n);
            }
            Some(t.split(',').fold(0u32, |acc, name| {
                let k = text::trim(name).to_ascii_lowercase();
                acc | BITS
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, b)| *b)
                    .unwrap_or(4096)
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ip_is_the_formatted_address() {
        for raw in [
            "203.0.113.9",
            "0.0.0.0",
            "255.255.255.255",
            "010.1.1.1",
            "1.2.3.4:443",
            "[2001:DB8::1]:443",
            "2001:0db8:0000:0000:0000:0000:0000:0001",
            "::ffff:198.51.100.7",
            "::1",
            " 203.0.113.9",
            "1.2.3",
            "not an ip",
        ] {
            assert_eq!(
                canonical_ip(raw).map(Cow::into_owned),
                parse_ip(raw).map(|ip| ip.to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn borrowed_text_and_caseless_search_equal_their_allocating_forms() {
        let vals: Vec<Val> = [
            "\"  Mobile app notification \"",
            "\"\"",
            "\"  \"",
            "42",
            "true",
            "null",
            "[1]",
        ]
        .iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .collect();
        for v in &vals {
            assert_eq!(
                text_nonempty_ref(Some(v)).map(|c| c.into_owned()),
                text_nonempty(Some(v)),
                "{v:?}"
            );
        }
        assert_eq!(text_nonempty_ref(None), None);
        for (hay, needle) in [
            ("Multi-Factor Authentication", "multi-factor"),
            (
                "MFA requirement satisfied by claim in the token",
                "mfa requirement satisfied",
            ),
            ("mfa", "mfa completed"),
            ("Ünïcode MFA COMPLETED", "mfa completed"),
            ("", "x"),
            ("abc", ""),
        ] {
            assert_eq!(
                contains_ignore_case(hay, needle),
                hay.to_ascii_lowercase().contains(needle),
                "{hay:?} {needle:?}"
            );
        }
    }

    #[test]
    fn stack_lowering_and_squashing_equal_their_allocating_forms() {
        let long = "Windows Hello for Business, registered on a device with a very long name";
        for s in [
            "",
            "Browser",
            "Mobile Apps and Desktop clients",
            " Exchange ActiveSync ",
            "Microsoft Entra hybrid joined",
            "FIDO2 security key",
            "Ünïcode Ä text",
            long,
            &long.repeat(3),
        ] {
            let mut buf = [0u8; 64];
            let squashed: String = s
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            assert_eq!(squash(s, &mut buf), squashed, "{s:?}");
            let mut buf = [0u8; 64];
            assert_eq!(lower(s, &mut buf), s.to_ascii_lowercase(), "{s:?}");
        }
        // Past the buffer: no stack result (the callers then allocate).
        assert_eq!(lower_into(long, &mut [0u8; 8]), None);
        assert_eq!(squash_into(long, &mut [0u8; 8]), None);
    }

    #[test]
    fn ip_forms() {
        assert_eq!(
            parse_ip("1.2.3.4").map(|i| i.to_string()),
            Some("1.2.3.4".into())
        );
        assert_eq!(
            parse_ip("1.2.3.4:443").map(|i| i.to_string()),
            Some("1.2.3.4".into())
        );
        assert_eq!(
            parse_ip("[2001:db8::1]:8080").map(|i| i.to_string()),
            Some("2001:db8::1".into())
        );
        assert_eq!(
            parse_ip("[2001:db8::1]").map(|i| i.to_string()),
            Some("2001:db8::1".into())
        );
        assert_eq!(
            parse_ip("::ffff:10.0.0.1").map(|i| i.to_string()),
            Some("10.0.0.1".into())
        );
        assert_eq!(
            parse_ip("2001:db8::1").map(|i| i.to_string()),
            Some("2001:db8::1".into())
        );
        assert_eq!(parse_ip("<IP ADDRESS>"), None);
        assert_eq!(parse_ip("1.2.3.4:99999"), None);
    }

    #[test]
    fn time_forms() {
        let a = parse_time("2022-01-24T05:10:08.6816663+00:00").unwrap();
        assert_eq!(a.timestamp_subsec_micros(), 681666);
        let b = parse_time("2021-06-30T11:34:32-05:00").unwrap();
        assert_eq!(b.to_rfc3339(), "2021-06-30T16:34:32+00:00");
        let c = parse_time("4/28/2021, 2:08:45.221 PM").unwrap();
        assert_eq!(c.to_rfc3339(), "2021-04-28T14:08:45.221+00:00");
        assert!(parse_time("2025-12-04 08:19:41").is_some());
        assert!(parse_time("/Date(1769788627239)/").is_some());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn condition_flags() {
        assert_eq!(
            condition_bits(Some(&Val::from("application,users"))),
            Some(3)
        );
        assert_eq!(condition_bits(Some(&Val::from(263))), Some(263));
        assert_eq!(condition_bits(Some(&Val::from("none"))), Some(0));
        assert_eq!(condition_bits(Some(&Val::from("somethingNew"))), Some(4096));
    }
}
