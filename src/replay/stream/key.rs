//! The evaluation key of an event (issue "Performance": user, app/action, network, device,
//! client, risk, methods): its [`EventFacts`] with the IP address replaced by a
//! representative of its *network class*.
//!
//! The engine reads `facts.ip` only through range membership (evaluation.md §3.5: named IP
//! locations, trusted locations, MFA trusted IPs; `engine::conditions::locations` tests
//! `canonical_ip(ip)` against each range), and the report's location label tests the raw
//! IP against the named-location ranges. Two IPs that fall in exactly the same ranges, both
//! ways, therefore give the same decision, explanation and label. The class is that
//! membership bit set; the first IP seen in a class represents it. The agreement tests
//! (tests/bench_agreement.rs) check keyed replay == per-event replay on whole reports.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::EventFacts;
use crate::policy::NamedLocation;

/// Ranges beyond which events keep their exact IP as the key (2 bits per range and one
/// family bit in a u128).
const MAX_RANGES: usize = 63;

/// Maps an IP to the representative IP of its network class.
#[derive(Debug, Clone, Default)]
pub struct NetworkClasses {
    ranges: Vec<IpNet>,
    reps: HashMap<u128, IpAddr>,
}

impl NetworkClasses {
    /// Every IP range the engine or the location labels can test: named-location
    /// `cidrAddress` values (parsed as both do: trimmed `IpNet`) and MFA trusted IPs.
    pub fn new(locations: &[NamedLocation], mfa_trusted_ips: &[IpNet]) -> NetworkClasses {
        let mut ranges: Vec<IpNet> = locations
            .iter()
            .flat_map(|l| l.ip_ranges.iter())
            .filter_map(|r| r.cidr_address.as_deref())
            .filter_map(|c| c.trim().parse::<IpNet>().ok())
            .chain(mfa_trusted_ips.iter().copied())
            .collect();
        ranges.sort_unstable();
        ranges.dedup();
        NetworkClasses {
            ranges,
            reps: HashMap::new(),
        }
    }

    /// Whether IPs are grouped at all (too many ranges: exact IPs are kept).
    pub fn active(&self) -> bool {
        self.ranges.len() <= MAX_RANGES
    }

    /// Membership bits of `ip`: bit 2i = raw IP in range i, bit 2i+1 = canonical IP in
    /// range i; the top bit marks IPv6 (canonical form) so families never share a class.
    fn class(&self, ip: IpAddr) -> u128 {
        let canon = ip.to_canonical();
        let mut bits: u128 = u128::from(canon.is_ipv6()) << 127;
        for (i, r) in self.ranges.iter().enumerate() {
            if r.contains(&ip) {
                bits |= 1 << (2 * i);
            }
            if r.contains(&canon) {
                bits |= 1 << (2 * i + 1);
            }
        }
        bits
    }

    /// The class of `ip`, or `None` when IPs are not grouped ([`Self::active`]). Pure:
    /// threads compute it without sharing anything but the ranges.
    pub fn class_of(&self, ip: IpAddr) -> Option<u128> {
        self.active().then(|| self.class(ip))
    }

    /// The representative of `ip`'s class (the first IP seen in it).
    pub fn representative(&mut self, ip: IpAddr) -> IpAddr {
        match self.class_of(ip) {
            Some(c) => *self.reps.entry(c).or_insert(ip),
            None => ip,
        }
    }

    /// Turn facts into their evaluation key (in place).
    pub fn key(&mut self, mut facts: EventFacts) -> EventFacts {
        if let Some(ip) = facts.ip {
            facts.ip = Some(self.representative(ip));
        }
        // The engine reads the time only through its dated periods.
        facts.signed_in_at = facts.signed_in_at.map(crate::engine::baseline_scope_period);
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::model::IpRange;

    fn loc(cidrs: &[&str]) -> NamedLocation {
        NamedLocation {
            ip_ranges: cidrs
                .iter()
                .map(|c| IpRange {
                    cidr_address: Some(c.to_string()),
                })
                .collect(),
            ..NamedLocation::default()
        }
    }

    #[test]
    fn same_ranges_same_representative() {
        let mut n = NetworkClasses::new(&[loc(&["10.0.0.0/8", " 192.168.1.0/24 "])], &[]);
        let a: IpAddr = "10.1.2.3".parse().unwrap();
        let b: IpAddr = "10.9.9.9".parse().unwrap();
        let c: IpAddr = "192.168.1.7".parse().unwrap();
        let out1: IpAddr = "8.8.8.8".parse().unwrap();
        let out2: IpAddr = "1.1.1.1".parse().unwrap();
        assert_eq!(n.representative(a), a);
        assert_eq!(n.representative(b), a);
        assert_eq!(n.representative(c), c);
        assert_eq!(n.representative(out1), out1);
        assert_eq!(n.representative(out2), out1);
    }

    #[test]
    fn mapped_v6_and_plain_v6_are_kept_apart_from_v4_where_ranges_differ() {
        let mut n = NetworkClasses::new(&[loc(&["10.0.0.0/8"])], &[]);
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let v4_out: IpAddr = "8.8.8.8".parse().unwrap();
        n.representative(v4);
        // Mapped: the raw address is not in the v4 range but its canonical form is, so its
        // class differs from a plain v4 member (the label would differ).
        assert_eq!(n.representative(mapped), mapped);
        n.representative(v4_out);
        assert_eq!(n.representative(v6), v6, "v6 never shares a class with v4");
    }

    #[test]
    fn too_many_ranges_keeps_exact_ips() {
        let cidrs: Vec<String> = (0..70).map(|i| format!("10.{i}.0.0/16")).collect();
        let refs: Vec<&str> = cidrs.iter().map(String::as_str).collect();
        let mut n = NetworkClasses::new(&[loc(&refs)], &[]);
        assert!(!n.active());
        let a: IpAddr = "8.8.8.8".parse().unwrap();
        let b: IpAddr = "1.1.1.1".parse().unwrap();
        n.representative(a);
        assert_eq!(n.representative(b), b);
    }
}
