//! Display labels for report rows: which named locations an IP falls in (display only;
//! the evaluator decides location conditions itself).

use ipnet::IpNet;

use crate::model::{Country, EventFacts};
use crate::policy::NamedLocation;

pub struct LocationLabeler {
    ranges: Vec<(IpNet, String)>,
}

impl LocationLabeler {
    pub fn new(locations: &[NamedLocation]) -> LocationLabeler {
        let mut ranges = Vec::new();
        for l in locations {
            let name = l
                .display_name
                .clone()
                .or_else(|| l.id.clone())
                .unwrap_or_default();
            for r in &l.ip_ranges {
                if let Some(net) = r
                    .cidr_address
                    .as_deref()
                    .and_then(|c| c.trim().parse().ok())
                {
                    ranges.push((net, name.clone()));
                }
            }
        }
        LocationLabeler { ranges }
    }

    /// Named IP locations containing the IP (`;`-joined), else the country, else `unknown`.
    pub fn label(&self, f: &EventFacts) -> String {
        if let Some(ip) = f.ip {
            let mut names: Vec<&str> = self
                .ranges
                .iter()
                .filter(|(n, _)| n.contains(&ip))
                .map(|(_, s)| s.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            if !names.is_empty() {
                return names.join(";");
            }
        }
        match &f.country {
            Some(Country::Code(c)) => format!("country {c}"),
            Some(Country::NoCountry) => "country unknown".to_string(),
            None => "unknown".to_string(),
        }
    }
}
