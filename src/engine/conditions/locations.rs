//! Network / locations (evaluation.md §3.5).
//!
//! ```text
//! incl = All ∨ (AllTrusted ∧ trusted(e)) ∨ (include ∩ L(e) ≠ ∅)
//! excl = (AllTrusted ∧ trusted(e)) ∨ (exclude ∩ L(e) ≠ ∅)
//! ```
//! IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is normalised to IPv4 before matching
//! ([unconfirmed] in Microsoft docs; careplay's recorded choice). Ranges only match
//! addresses of their own family. `00000000-0000-0000-0000-000000000000` is the legacy
//! "MFA trusted IPs" pseudo-location (policy-model.md §8, [unconfirmed]).

use super::{include_exclude, Check};
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::{is, norm};
use crate::model::{Country, Tri};
use crate::policy::{Locations, NamedLocation};
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

pub const MFA_TRUSTED_IPS_ID: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, PartialEq)]
pub(crate) enum NamedLoc {
    Ip {
        ranges: Vec<IpNet>,
    },
    Country {
        name: String,
        codes: BTreeSet<String>,
        include_unknown: bool,
        gps: bool,
    },
    /// Compliant-network (Global Secure Access), private-link, service-tag or unreadable:
    /// never decidable from logs.
    Unevaluable {
        why: String,
    },
}

/// Tenant named locations compiled once per policy set.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct LocationTable {
    by_id: BTreeMap<String, Arc<NamedLoc>>,
    /// Problems found while compiling each location, reported by policies using it.
    problems: BTreeMap<String, Vec<String>>,
    trust: Arc<Trust>,
}

#[derive(Debug, Default, PartialEq)]
struct Trust {
    trusted_ranges: Vec<IpNet>,
    mfa_trusted_ips: Vec<IpNet>,
    /// No named-location snapshot was given: which ranges are trusted is not known.
    no_snapshot: bool,
    /// The MFA trusted IPs list was not given.
    mfa_unknown: bool,
    /// Trusted locations whose membership the logs cannot show (private link, service tag,
    /// compliant network): `AllTrusted` counts them, so outside the trusted IP ranges
    /// "trusted" is Unknown, naming them (location-condition.md, "All trusted networks and
    /// locations": every location marked as trusted).
    unevaluable_trusted: Vec<String>,
}

/// Why a policy naming the MFA trusted IPs pseudo-location is Unknown without the list.
const MFA_UNKNOWN: &str = "the MFA trusted IPs pseudo-location (00000000-…) is named, but \
     the tenant snapshot has no MFA trusted IPs list (legacy MFA service setting)";

/// Why `AllTrusted` and location ids are Unknown without a named-locations file.
const NO_SNAPSHOT: &str =
    "no named locations file (namedLocations.json): which networks are trusted is unknown";

pub(crate) fn canonical_ip(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

fn contains(ranges: &[IpNet], ip: IpAddr) -> bool {
    ranges.iter().any(|r| r.contains(&ip))
}

impl LocationTable {
    pub fn build(
        locations: &[NamedLocation],
        mfa_trusted_ips: &[IpNet],
        no_snapshot: bool,
        mfa_unknown: bool,
    ) -> LocationTable {
        let mut t = LocationTable::default();
        let mut trust = Trust {
            trusted_ranges: vec![],
            mfa_trusted_ips: mfa_trusted_ips.to_vec(),
            no_snapshot,
            mfa_unknown,
            unevaluable_trusted: vec![],
        };
        for (i, l) in locations.iter().enumerate() {
            let Some(id) = l.id.as_deref() else {
                continue;
            };
            let name = l.display_name.clone().unwrap_or_else(|| id.to_string());
            let kind = l.odata_type.as_deref().unwrap_or("").to_ascii_lowercase();
            let mut problems = vec![];
            let loc = if kind.contains("compliantnetwork") {
                NamedLoc::Unevaluable {
                    why: format!(
                        "location `{name}`: whether the request came through a compliant network \
                         (Global Secure Access) is not in sign-in exports"
                    ),
                }
            } else if kind.contains("privatelink") {
                NamedLoc::Unevaluable {
                    why: format!(
                        "location `{name}`: whether the request came through the tenant's private \
                         link is not in sign-in exports"
                    ),
                }
            } else if kind.contains("servicetag") {
                NamedLoc::Unevaluable {
                    why: format!(
                        "location `{name}`: the IP ranges of its Azure service tags are not in \
                         the tenant snapshot"
                    ),
                }
            } else if kind.contains("country")
                || (kind.is_empty() && !l.countries_and_regions.is_empty())
            {
                let method = l
                    .country_lookup_method
                    .as_deref()
                    .unwrap_or("clientIpAddress");
                let gps = is(method, "authenticatorAppGps");
                if !gps && !is(method, "clientIpAddress") {
                    problems.push(format!(
                        "location `{name}`: unknown countryLookupMethod `{method}`"
                    ));
                }
                NamedLoc::Country {
                    name,
                    codes: l
                        .countries_and_regions
                        .iter()
                        .map(|c| c.trim().to_ascii_uppercase())
                        .collect(),
                    include_unknown: l.include_unknown_countries_and_regions.unwrap_or(false),
                    gps: gps || !is(method, "clientIpAddress"),
                }
            } else if kind.contains("ipnamedlocation") || !l.ip_ranges.is_empty() {
                let mut ranges = vec![];
                for (j, r) in l.ip_ranges.iter().enumerate() {
                    let cidr = r.cidr_address.as_deref().unwrap_or("").trim();
                    match cidr.parse::<IpNet>() {
                        Ok(n) => ranges.push(n),
                        Err(e) => problems.push(format!(
                            "location `{name}` ($.locations[{i}].ipRanges[{j}].cidrAddress): `{cidr}` is not a CIDR range ({e})"
                        )),
                    }
                }
                let trusted = l.is_trusted.unwrap_or(false);
                if trusted {
                    trust.trusted_ranges.extend(ranges.iter().copied());
                }
                NamedLoc::Ip { ranges }
            } else {
                NamedLoc::Unevaluable {
                    why: format!("location `{name}` has an unknown type"),
                }
            };
            if let (NamedLoc::Unevaluable { why }, Some(true)) = (&loc, l.is_trusted) {
                trust.unevaluable_trusted.push(why.clone());
            }
            if !problems.is_empty() {
                t.problems.insert(norm(id), problems);
            }
            t.by_id.insert(norm(id), Arc::new(loc));
        }
        t.trust = Arc::new(trust);
        t
    }
}

#[derive(Debug, Clone, PartialEq)]
enum LocRef {
    Named(Arc<NamedLoc>),
    MfaTrustedIps,
    Missing(String),
}

#[derive(Debug, PartialEq)]
pub struct LocationCond {
    include_all: bool,
    include_trusted: bool,
    include: Vec<LocRef>,
    exclude_trusted: bool,
    exclude: Vec<LocRef>,
    trust: Arc<Trust>,
}

fn resolve(id: &str, cx: &mut CompileCx) -> LocRef {
    if is(id, MFA_TRUSTED_IPS_ID) {
        if cx.locations.trust.mfa_unknown {
            cx.issue(format!("{MFA_UNKNOWN}: the location condition is Unknown"));
        }
        return LocRef::MfaTrustedIps;
    }
    let key = norm(id);
    if let Some(ps) = cx.locations.problems.get(&key) {
        for p in ps.clone() {
            cx.issue(p);
        }
    }
    match cx.locations.by_id.get(&key) {
        Some(l) => LocRef::Named(l.clone()),
        None if cx.locations.trust.no_snapshot => {
            cx.issue(format!(
                "named location `{id}`: {NO_SNAPSHOT}; the location condition is Unknown"
            ));
            LocRef::Missing(id.to_string())
        }
        None => {
            cx.issue(format!(
                "named location `{id}` is not in the tenant data (V12): evaluated as Unknown"
            ));
            LocRef::Missing(id.to_string())
        }
    }
}

pub(crate) fn compile(l: Option<&Locations>, cx: &mut CompileCx) -> Option<LocationCond> {
    let l = l?;
    if l.include_locations.is_empty() && l.exclude_locations.is_empty() {
        return None;
    }
    let mut c = LocationCond {
        include_all: false,
        include_trusted: false,
        include: vec![],
        exclude_trusted: false,
        exclude: vec![],
        trust: cx.locations.trust.clone(),
    };
    for id in &l.include_locations {
        if is(id, "All") {
            c.include_all = true;
        } else if is(id, "AllTrusted") {
            c.include_trusted = true;
        } else {
            c.include.push(resolve(id, cx));
        }
    }
    for id in &l.exclude_locations {
        if is(id, "AllTrusted") {
            c.exclude_trusted = true;
        } else if is(id, "All") {
            c.exclude_trusted = false;
            cx.issue("`All` in excludeLocations: the policy can never apply");
            c.exclude.push(LocRef::Missing("All".into()));
        } else {
            c.exclude.push(resolve(id, cx));
        }
    }
    Some(c)
}

fn no_ip() -> Tri {
    Tri::unknown("no IP address")
}

/// Whether the event is in one location of L(e).
fn in_location(l: &LocRef, ip: Option<IpAddr>, country: Option<&Country>, trust: &Trust) -> Tri {
    match l {
        LocRef::Missing(id) if id == "All" => Tri::Yes,
        LocRef::Missing(id) if trust.no_snapshot => {
            Tri::unknown(format!("named location `{id}`: {NO_SNAPSHOT}"))
        }
        LocRef::Missing(id) => Tri::unknown(format!(
            "named location `{id}` is not in the named locations file"
        )),
        LocRef::MfaTrustedIps if trust.mfa_unknown => Tri::unknown(MFA_UNKNOWN),
        LocRef::MfaTrustedIps => match ip {
            // MFA trusted IPs are IPv4 only; contains() is false across families.
            Some(ip) => Tri::from_bool(contains(&trust.mfa_trusted_ips, ip)),
            None => no_ip(),
        },
        LocRef::Named(n) => match n.as_ref() {
            NamedLoc::Ip { ranges, .. } => match ip {
                Some(ip) => Tri::from_bool(contains(ranges, ip)),
                None => no_ip(),
            },
            NamedLoc::Country {
                name,
                codes,
                include_unknown,
                gps,
            } => {
                if *gps {
                    return Tri::unknown(format!(
                        "location `{name}` uses GPS country lookup (not in sign-in logs)"
                    ));
                }
                match country {
                    Some(Country::Code(c)) => {
                        Tri::from_bool(codes.contains(&c.to_ascii_uppercase()))
                    }
                    Some(Country::NoCountry) => Tri::from_bool(*include_unknown),
                    None => Tri::unknown("country unknown"),
                }
            }
            NamedLoc::Unevaluable { why } => Tri::unknown(why.clone()),
        },
    }
}

/// `trusted(e)`: a trusted IP location or the MFA trusted IPs contain the address.
fn trusted(ip: Option<IpAddr>, trust: &Trust) -> Tri {
    if trust.no_snapshot {
        // An address in the MFA trusted IPs is trusted whatever the named locations say.
        return match ip {
            Some(ip) if contains(&trust.mfa_trusted_ips, ip) => Tri::Yes,
            _ => Tri::unknown(NO_SNAPSHOT),
        };
    }
    let by_ip = if trust.trusted_ranges.is_empty() && trust.mfa_trusted_ips.is_empty() {
        Tri::No
    } else {
        match ip {
            Some(ip) => Tri::from_bool(
                contains(&trust.trusted_ranges, ip) || contains(&trust.mfa_trusted_ips, ip),
            ),
            None => no_ip(),
        }
    };
    match (by_ip, trust.unevaluable_trusted.first()) {
        (Tri::No, Some(why)) => Tri::unknown(format!("trusted {why}")),
        (t, _) => t,
    }
}

impl LocationCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        let ip = ctx.facts.ip.map(canonical_ip);
        let country = ctx.facts.country.as_ref();
        let trust = self.trust.as_ref();
        let mut inc = vec![Tri::from_bool(self.include_all)];
        if self.include_trusted {
            inc.push(trusted(ip, trust));
        }
        inc.extend(
            self.include
                .iter()
                .map(|l| in_location(l, ip, country, trust)),
        );
        let mut exc = vec![];
        if self.exclude_trusted {
            exc.push(trusted(ip, trust));
        }
        exc.extend(
            self.exclude
                .iter()
                .map(|l| in_location(l, ip, country, trust)),
        );
        include_exclude!(Tri::any(inc), Tri::any(exc), "network location")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_mapped_ipv6_is_normalised() {
        let ip: IpAddr = "::ffff:203.0.113.9"
            .parse()
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let net: IpNet = "203.0.113.0/24".parse().unwrap_or_default();
        assert!(contains(&[net], canonical_ip(ip)));
        assert!(!contains(&[net], ip));
    }
}
