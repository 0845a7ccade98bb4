//! IP pseudonyms that keep every named-location fact: an address inside named ranges maps
//! inside the smallest of them and outside every range nested in it, so it matches exactly
//! the same named locations; an address outside every named range maps inside its own
//! /16 (IPv4) or /32 (IPv6), outside every named range. The country is a separate column
//! and is kept, so country locations match as before.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// Hash attempts before the deterministic scan (a miss needs nested ranges covering
/// most of the block).
const TRIES: u32 = 64;
/// Addresses the scan looks at before keeping the original (see `IpMap::map`).
const SCAN: u128 = 1 << 16;

/// The named ranges of the tenant.
#[derive(Debug, Clone, Default)]
pub struct IpMap {
    nets: Vec<IpNet>,
}

/// The block an address is kept inside and the ranges it must avoid there.
struct Block {
    net: IpNet,
    avoid: Vec<IpNet>,
}

impl IpMap {
    pub fn new(mut nets: Vec<IpNet>) -> IpMap {
        nets.iter_mut().for_each(|n| *n = n.trunc());
        nets.sort();
        nets.dedup();
        IpMap { nets }
    }

    fn block(&self, ip: IpAddr) -> Block {
        let smallest = self
            .nets
            .iter()
            .filter(|n| n.contains(&ip))
            .max_by_key(|n| n.prefix_len())
            .copied();
        match smallest {
            Some(net) => Block {
                net,
                // Ranges inside it do not contain `ip` (else they would be smaller).
                avoid: self
                    .nets
                    .iter()
                    .filter(|n| n.prefix_len() > net.prefix_len() && net.contains(&n.network()))
                    .copied()
                    .collect(),
            },
            None => {
                let prefix = if ip.is_ipv4() { 16 } else { 32 };
                let net = IpNet::new(ip, prefix)
                    .map(|n| n.trunc())
                    .unwrap_or_else(|_| {
                        IpNet::from(ip) // a host route: only reached for malformed prefixes
                    });
                Block {
                    net,
                    // Every named range overlapping the block lies inside it (one
                    // containing the block would contain `ip`).
                    avoid: self
                        .nets
                        .iter()
                        .filter(|n| net.contains(&n.network()))
                        .copied()
                        .collect(),
                }
            }
        }
    }

    /// The pseudonym of `ip`, drawn with `hash(attempt)` (16 keyed-hash bytes). Returns
    /// `None` when no other address of the block is free: a /32 (or /128) named range,
    /// or nested ranges covering the block; the caller keeps the address and says so.
    pub fn map(&self, ip: IpAddr, hash: impl Fn(u32) -> [u8; 16]) -> Option<IpAddr> {
        let b = self.block(ip);
        let host_bits = u32::from(b.net.max_prefix_len() - b.net.prefix_len());
        if host_bits == 0 {
            return None;
        }
        let base = to_u128(b.net.network());
        let mask = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let ok = |cand: u128| {
            let a = from_u128(cand, ip.is_ipv4());
            (a != ip && !b.avoid.iter().any(|n| n.contains(&a))).then_some(a)
        };
        for attempt in 0..TRIES {
            let h = u128::from_le_bytes(hash(attempt));
            if let Some(a) = ok(base | (h & mask)) {
                return Some(a);
            }
        }
        let start = u128::from_le_bytes(hash(TRIES)) & mask;
        (1..=SCAN.min(mask)).find_map(|i| ok(base | (start.wrapping_add(i) & mask)))
    }
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn from_u128(v: u128, v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(seed: &str) -> impl Fn(u32) -> [u8; 16] + '_ {
        move |i| {
            let h = blake3::hash(format!("{seed}/{i}").as_bytes());
            let mut out = [0u8; 16];
            out.copy_from_slice(&h.as_bytes()[..16]);
            out
        }
    }

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn addresses_keep_exactly_their_named_ranges() {
        let all = nets(&[
            "203.0.113.0/24",
            "203.0.113.128/25",
            "203.0.113.200/32",
            "2001:db8:10::/48",
            "198.51.0.0/16",
            "8.8.8.0/24",
        ]);
        let m = IpMap::new(all.clone());
        let inside: Vec<IpAddr> = ["203.0.113.7", "203.0.113.130", "2001:db8:10::5", "8.8.4.4"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        for ip in inside {
            for seed in ["a", "b", "c", "d", "e"] {
                let p = m.map(ip, hash(seed)).unwrap();
                assert_ne!(p, ip);
                let of = |a: IpAddr| -> Vec<IpNet> {
                    all.iter().filter(|n| n.contains(&a)).copied().collect()
                };
                assert_eq!(of(p), of(ip), "{ip} -> {p}");
            }
        }
        // Outside every range: same /16 (never into the named 8.8.8.0/24 inside it).
        let p = m.map("8.8.4.4".parse().unwrap(), hash("x")).unwrap();
        assert!("8.8.0.0/16".parse::<IpNet>().unwrap().contains(&p));
        // A single-address range has no other address to give.
        assert_eq!(m.map("203.0.113.200".parse().unwrap(), hash("x")), None);
    }
}
