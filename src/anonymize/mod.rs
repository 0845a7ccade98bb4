//! `careplay logs anonymize`: consistent pseudonyms for the people, devices and addresses
//! in sign-in logs, the directory snapshot and the policies' user lists, keeping every
//! fact the evaluator reads, so a replay of the anonymized copy gives the same answer.
//!
//! Every pseudonym is a BLAKE3 keyed hash of the lower-cased value under a secret key
//! ([`key`]), with a label per kind of value (user, device, session, ...) so equal text of
//! two kinds gets two pseudonyms. Same key, same pseudonyms: shards anonymized separately
//! stay consistent with each other and with the rewritten directory. What is kept, changed
//! and dropped is listed on [`Anonymizer::record`] and in the README.

pub mod ip;
pub mod key;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::model::Platform;
use crate::policy::directory::DirectoryFile;
use crate::signin::facts::platform;
use crate::signin::SignInRecord;

pub use ip::IpMap;
pub use key::{Key, KeySource};

#[derive(Debug, thiserror::Error)]
pub enum AnonymizeError {
    #[error("{path}: key file: {message}")]
    Key { path: PathBuf, message: String },
}

/// Kinds of value, each hashed under its own label.
#[derive(Debug, Clone, Copy)]
enum Kind {
    User,
    Upn,
    UpnDomain,
    Name,
    Device,
    DeviceName,
    Session,
    Correlation,
    Request,
    Ip,
}

impl Kind {
    fn label(self) -> &'static [u8] {
        match self {
            Kind::User => b"user",
            Kind::Upn => b"upn",
            Kind::UpnDomain => b"upn-domain",
            Kind::Name => b"name",
            Kind::Device => b"device",
            Kind::DeviceName => b"device-name",
            Kind::Session => b"session",
            Kind::Correlation => b"correlation",
            Kind::Request => b"request",
            Kind::Ip => b"ip",
        }
    }
}

/// What a run changed, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub records: u64,
    /// Addresses kept as they are: the only address of a /32 (/128) named range, which
    /// namedLocations.json already holds (see [`IpMap::map`]).
    pub ips_kept: BTreeSet<String>,
}

/// Pseudonyms under one key, IPs inside the tenant's named ranges.
#[derive(Debug, Clone)]
pub struct Anonymizer {
    key: Key,
    ips: IpMap,
    keep_request_ids: bool,
}

impl Anonymizer {
    pub fn new(key: Key, ips: IpMap, keep_request_ids: bool) -> Anonymizer {
        Anonymizer {
            key,
            ips,
            keep_request_ids,
        }
    }

    fn hash(&self, kind: Kind, value: &str, attempt: u32) -> [u8; 32] {
        let mut h = blake3::Hasher::new_keyed(self.key.bytes());
        h.update(kind.label());
        h.update(&[0]);
        h.update(&attempt.to_le_bytes());
        h.update(value.trim().to_lowercase().as_bytes());
        *h.finalize().as_bytes()
    }

    fn hex(&self, kind: Kind, value: &str, digits: usize) -> String {
        self.hash(kind, value, 0)
            .iter()
            .take(digits.div_ceil(2))
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .chars()
            .take(digits)
            .collect()
    }

    /// A GUID-shaped pseudonym (version 4, RFC 4122 variant), so loaders and policies
    /// that expect object ids accept it.
    fn guid(&self, kind: Kind, value: &str) -> String {
        let h = self.hash(kind, value, 0);
        let mut b = [0u8; 16];
        b.copy_from_slice(&h[..16]);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        uuid::Uuid::from_bytes(b).hyphenated().to_string()
    }

    /// A user object id (logs, directory, policies' includeUsers/excludeUsers).
    pub fn user_id(&self, id: &str) -> String {
        self.guid(Kind::User, id)
    }

    /// `user-<hex>@<domain pseudonym>.invalid`; a guest's `#EXT#` marker is kept.
    pub fn upn(&self, upn: &str) -> String {
        let (local, domain) = upn.rsplit_once('@').unwrap_or((upn, ""));
        let ext = if local.to_ascii_uppercase().contains("#EXT#") {
            "#EXT#"
        } else {
            ""
        };
        format!(
            "user-{}{ext}@d-{}.invalid",
            self.hex(Kind::Upn, upn, 12),
            self.hex(Kind::UpnDomain, domain, 8)
        )
    }

    pub fn display_name(&self, name: &str) -> String {
        format!("Person {}", self.hex(Kind::Name, name, 10))
    }

    pub fn device_id(&self, id: &str) -> String {
        self.guid(Kind::Device, id)
    }

    pub fn device_name(&self, name: &str) -> String {
        format!("device-{}", self.hex(Kind::DeviceName, name, 10))
    }

    /// The pseudonym of an address (`None`: not an address, or no other address keeps its
    /// named ranges).
    pub fn ip(&self, ip: &str) -> Option<String> {
        let addr: IpAddr = ip.trim().parse().ok()?;
        let canonical = addr.to_string();
        self.ips
            .map(addr, |attempt| {
                let h = self.hash(Kind::Ip, &canonical, attempt);
                let mut out = [0u8; 16];
                out.copy_from_slice(&h[..16]);
                out
            })
            .map(|a| a.to_string())
    }

    /// Rewrite one canonical sign-in in place.
    ///
    /// Changed (consistent pseudonyms): user id, UPN, user display name, device id and
    /// name, session id, correlation id, request id (unless kept), IP and the IP the
    /// resource saw. Dropped: city, state, failure reason, additional details (free text
    /// that can name people, devices or addresses); the user agent, unless the evaluator
    /// needs it for the device platform, in which case a minimal agent naming only that
    /// platform replaces it. Kept: everything else (apps, resources, tenants, service
    /// principals, client app, OS and browser, device compliance/join/management, risk,
    /// authentication requirement, methods and MFA details, times, country, error code,
    /// the logged Conditional Access results).
    pub fn record(&self, r: &mut SignInRecord, stats: &mut Stats) {
        stats.records += 1;
        let map = |v: &mut Option<String>, f: &dyn Fn(&str) -> String| {
            if let Some(s) = v.as_mut().filter(|s| !s.trim().is_empty()) {
                *s = f(s);
            }
        };
        if !self.keep_request_ids && !r.event_id.trim().is_empty() {
            r.event_id = self.guid(Kind::Request, &r.event_id);
        }
        map(&mut r.user_id, &|s| self.user_id(s));
        map(&mut r.user_upn, &|s| self.upn(s));
        map(&mut r.user_display_name, &|s| self.display_name(s));
        map(&mut r.device_id, &|s| self.device_id(s));
        map(&mut r.device_display_name, &|s| self.device_name(s));
        map(&mut r.session_id, &|s| self.guid(Kind::Session, s));
        map(&mut r.correlation_id, &|s| self.guid(Kind::Correlation, s));
        for ip in [&mut r.ip, &mut r.resource_ip] {
            if let Some(s) = ip.as_mut().filter(|s| !s.trim().is_empty()) {
                match self.ip(s) {
                    Some(p) => *s = p,
                    None => {
                        // Not an address (the evaluator reads it as Unknown either way)
                        // or the only address of its named range (kept, and counted).
                        if s.trim().parse::<IpAddr>().is_ok() {
                            stats.ips_kept.insert(s.clone());
                        } else {
                            *s = format!("unreadable-{}", self.hex(Kind::Ip, s, 10));
                        }
                    }
                }
            }
        }
        r.city = None;
        r.state = None;
        r.failure_reason = None;
        r.additional_details = None;
        r.user_agent = r.user_agent.take().and_then(|ua| {
            let from_os = platform(r.os_raw.as_deref(), None);
            let with_ua = platform(r.os_raw.as_deref(), Some(&ua));
            if from_os == with_ua {
                None
            } else {
                with_ua.map(|p| platform_agent(p).to_owned())
            }
        });
    }

    /// Rewrite a directory snapshot with the same pseudonyms. Group, role, service
    /// principal and tenant ids are kept (policies name them); a group member is a user
    /// unless it is a known group or service principal.
    pub fn directory(&self, d: &mut DirectoryFile) {
        let mut keep: BTreeSet<String> = d.groups.iter().map(|g| g.id.to_lowercase()).collect();
        keep.extend(
            d.users
                .iter()
                .flat_map(|u| u.groups.iter().map(|g| g.to_lowercase())),
        );
        keep.extend(d.service_principals.iter().map(|s| s.id.to_lowercase()));
        for u in &mut d.users {
            u.id = self.user_id(&u.id);
            u.user_principal_name = u.user_principal_name.as_deref().map(|s| self.upn(s));
            u.display_name = u.display_name.as_deref().map(|s| self.display_name(s));
        }
        for g in &mut d.groups {
            for m in &mut g.members {
                if !keep.contains(&m.to_lowercase()) {
                    *m = self.user_id(m);
                }
            }
        }
        for dev in &mut d.devices {
            dev.device_id = self.device_id(&dev.device_id);
            dev.display_name = dev.display_name.as_deref().map(|s| self.device_name(s));
            for p in &mut dev.physical_ids {
                // `[TAG]:value`: the tag says what kind of id it is; the value identifies.
                let tag = p
                    .split_once(':')
                    .map(|(t, _)| format!("{t}:"))
                    .unwrap_or_default();
                *p = format!("{tag}{}", self.hex(Kind::Device, p, 16));
            }
        }
    }

    /// Rewrite the user ids a policy names (`includeUsers` / `excludeUsers`, wherever
    /// they are in the JSON); `All`, `None`, `GuestsOrExternalUsers` stay. Returns the JSON
    /// paths of device filter rules that read a value this rewrites (device id, display
    /// name, physical ids): their answers can change.
    pub fn policy_json(&self, v: &mut serde_json::Value) -> Vec<String> {
        let mut warnings = Vec::new();
        self.walk_policy(v, "$", &mut warnings);
        warnings
    }

    fn walk_policy(&self, v: &mut serde_json::Value, path: &str, warnings: &mut Vec<String>) {
        use serde_json::Value;
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    let p = format!("{path}.{k}");
                    let users = k.eq_ignore_ascii_case("includeUsers")
                        || k.eq_ignore_ascii_case("excludeUsers");
                    match child {
                        Value::Array(items) if users => {
                            for item in items.iter_mut() {
                                if let Value::String(s) = item {
                                    if crate::policy::load::references::is_guid(s) {
                                        *s = self.user_id(s);
                                    }
                                }
                            }
                        }
                        Value::String(rule) if k.eq_ignore_ascii_case("rule") => {
                            let r = rule.to_ascii_lowercase();
                            if [
                                "device.deviceid",
                                "device.displayname",
                                "device.physicalids",
                            ]
                            .iter()
                            .any(|f| r.contains(f))
                            {
                                warnings.push(p);
                            }
                        }
                        other => self.walk_policy(other, &p, warnings),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk_policy(item, &format!("{path}[{i}]"), warnings);
                }
            }
            _ => {}
        }
    }
}

/// A user agent that names only `p`, read back as `p` by `signin::facts::platform`.
fn platform_agent(p: Platform) -> &'static str {
    match p {
        Platform::Android => "Mozilla/5.0 (Linux; Android)",
        Platform::Ios => "Mozilla/5.0 (iPhone)",
        Platform::Windows => "Mozilla/5.0 (Windows NT)",
        Platform::WindowsPhone => "Mozilla/5.0 (Windows Phone)",
        Platform::MacOs => "Mozilla/5.0 (Macintosh)",
        Platform::Linux => "Mozilla/5.0 (X11; Linux)",
        Platform::Unsupported => "Mozilla/5.0 (X11; CrOS)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon() -> Anonymizer {
        Anonymizer::new(Key::from_bytes([7; 32]), IpMap::default(), false)
    }

    #[test]
    fn platform_agents_read_back_as_their_platform() {
        for p in [
            Platform::Android,
            Platform::Ios,
            Platform::Windows,
            Platform::WindowsPhone,
            Platform::MacOs,
            Platform::Linux,
            Platform::Unsupported,
        ] {
            assert_eq!(platform(None, Some(platform_agent(p))), Some(p), "{p:?}");
        }
    }

    #[test]
    fn pseudonyms_are_keyed_consistent_and_case_blind() {
        let a = anon();
        let b = Anonymizer::new(Key::from_bytes([8; 32]), IpMap::default(), false);
        let id = "AAAAAAAA-0000-4000-8000-000000000001";
        assert_eq!(a.user_id(id), a.user_id(&id.to_lowercase()));
        assert_ne!(a.user_id(id), b.user_id(id));
        assert_ne!(a.user_id(id), a.device_id(id));
        assert!(crate::policy::load::references::is_guid(&a.user_id(id)));
        let upn = a.upn("x_partner.com#EXT#@contoso.onmicrosoft.com");
        assert!(upn.contains("#EXT#@d-"), "{upn}");
        assert_eq!(a.upn("Alice@Contoso.com"), a.upn("alice@contoso.com"));
    }
}
