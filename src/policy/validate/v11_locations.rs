//! V11: named-location limits (policy-model.md §13): IPv4 prefixes longer than /8, at most
//! 2000 ranges per location, at most 195 IP locations.
use crate::diag::Origin;
use crate::policy::finding::{Finding, Severity};
use crate::policy::load::locations::NamedLocationKind;
use crate::policy::load::LoadedLocation;
use ipnet::IpNet;

const MAX_RANGES: usize = 2000;
const MAX_IP_LOCATIONS: usize = 195;

fn finding(l: &LoadedLocation, path: String, message: String) -> Finding {
    Finding {
        code: "V11",
        rule: "named-location-limits",
        severity: Severity::Error,
        subject: l
            .location
            .display_name
            .clone()
            .or_else(|| l.location.id.clone())
            .unwrap_or_default(),
        origin: Origin {
            json_path: Some(path),
            ..l.origin.clone()
        },
        message,
    }
}

/// Check the documented limits of named locations.
pub fn validate_locations(locations: &[LoadedLocation]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut ip_locations = 0usize;
    for l in locations {
        let base = l.origin.json_path.clone().unwrap_or_else(|| "$".into());
        if l.location.kind() != Some(NamedLocationKind::Ip) {
            continue;
        }
        ip_locations += 1;
        if l.location.ip_ranges.len() > MAX_RANGES {
            out.push(finding(
                l,
                format!("{base}.ipRanges"),
                format!(
                    "{} IP ranges (limit {MAX_RANGES} per location)",
                    l.location.ip_ranges.len()
                ),
            ));
        }
        for (i, r) in l.location.ip_ranges.iter().enumerate() {
            if let Some(Ok(IpNet::V4(net))) =
                r.cidr_address.as_deref().map(|c| c.trim().parse::<IpNet>())
            {
                if net.prefix_len() <= 8 {
                    out.push(finding(
                        l,
                        format!("{base}.ipRanges[{i}].cidrAddress"),
                        format!(
                            "IPv4 range {net} has prefix /{}; Entra requires a mask longer than /8",
                            net.prefix_len()
                        ),
                    ));
                }
            }
        }
        if ip_locations == MAX_IP_LOCATIONS + 1 {
            out.push(finding(
                l,
                base,
                format!("more than {MAX_IP_LOCATIONS} IP named locations"),
            ));
        }
    }
    out
}
