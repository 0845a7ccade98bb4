//! Named locations (policy-model.md §13): Graph `ipNamedLocation`, `countryNamedLocation`,
//! `compliantNetworkNamedLocation`, and beta `privateLinkNamedLocation` /
//! `serviceTagNamedLocation` (msgraph-metadata beta entity types), as single objects, arrays or Graph pages. Custom
//! shapes (e.g. `locationType` instead of `@odata.type`) are refused; every CIDR range is
//! parsed with `ipnet` and a bad one is named by its JSON path.

use super::normalize::normalize;
use super::{
    describe_other, deserialize_at, json_child, load_files, parse_str, walk_objects, FileSummary,
    PolicyError, Rejection, Sink, TextOrigin,
};
use crate::diag::Origin;
use crate::policy::model::NamedLocation;
use ipnet::IpNet;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// The Graph named-location kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedLocationKind {
    Ip,
    Country,
    CompliantNetwork,
    /// Beta: requests through the tenant's Azure private link (`privateLinkResourcePolicyIds`).
    PrivateLink,
    /// Beta: Azure service tag IP ranges (`serviceTags`).
    ServiceTag,
}

impl NamedLocationKind {
    pub fn odata_type(self) -> &'static str {
        match self {
            NamedLocationKind::Ip => "#microsoft.graph.ipNamedLocation",
            NamedLocationKind::Country => "#microsoft.graph.countryNamedLocation",
            NamedLocationKind::CompliantNetwork => "#microsoft.graph.compliantNetworkNamedLocation",
            NamedLocationKind::PrivateLink => "#microsoft.graph.privateLinkNamedLocation",
            NamedLocationKind::ServiceTag => "#microsoft.graph.serviceTagNamedLocation",
        }
    }

    fn from_odata(t: &str) -> Option<Self> {
        let t = t.trim().trim_start_matches('#').to_ascii_lowercase();
        let t = t.strip_prefix("microsoft.graph.").unwrap_or(&t);
        match t {
            "ipnamedlocation" => Some(NamedLocationKind::Ip),
            "countrynamedlocation" => Some(NamedLocationKind::Country),
            "compliantnetworknamedlocation" => Some(NamedLocationKind::CompliantNetwork),
            "privatelinknamedlocation" => Some(NamedLocationKind::PrivateLink),
            "servicetagnamedlocation" => Some(NamedLocationKind::ServiceTag),
            _ => None,
        }
    }
}

impl NamedLocation {
    /// The kind from `@odata.type` (set by the loader when it was inferred).
    pub fn kind(&self) -> Option<NamedLocationKind> {
        self.odata_type
            .as_deref()
            .and_then(NamedLocationKind::from_odata)
    }

    /// The parsed CIDR ranges (the loader has checked they all parse).
    pub fn networks(&self) -> Vec<IpNet> {
        self.ip_ranges
            .iter()
            .filter_map(|r| r.cidr_address.as_deref())
            .filter_map(|c| c.trim().parse().ok())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadedLocation {
    pub location: NamedLocation,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default)]
pub struct LocationLoad {
    pub locations: Vec<LoadedLocation>,
    pub rejected: Vec<Rejection>,
    pub files_read: usize,
    pub files: Vec<FileSummary>,
}

/// Load named locations from files, folders and globs.
pub fn load_named_locations(paths: &[PathBuf]) -> Result<LocationLoad, PolicyError> {
    let loaded = load_files(paths, &mut |v, o, s| collect(v, "$".into(), o, s))?;
    Ok(LocationLoad {
        locations: loaded.items,
        rejected: loaded.rejected,
        files_read: loaded.files.len(),
        files: loaded.files,
    })
}

pub fn parse_named_locations_str(
    text: &str,
    origin: &Origin,
) -> (Vec<LoadedLocation>, Vec<Rejection>) {
    parse_str(text, origin, &mut |v, o, s| collect(v, "$".into(), o, s))
}

fn collect(value: Value, path: String, origin: &TextOrigin, sink: &mut Sink<LoadedLocation>) {
    walk_objects(
        value,
        path,
        origin,
        sink,
        "a named location object",
        &mut one,
    );
}

fn one(
    raw: Map<String, Value>,
    path: String,
    origin: &TextOrigin,
    sink: &mut Sink<LoadedLocation>,
) {
    let Value::Object(mut map) = normalize(Value::Object(raw)) else {
        return;
    };
    let declared = map
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(str::to_string);
    let kind = match &declared {
        Some(t) => match NamedLocationKind::from_odata(t) {
            Some(k) => k,
            None => {
                sink.reject(
                    origin.at(&path),
                    format!("not a named location: this is an object of type {t}"),
                );
                return;
            }
        },
        None => {
            if let Some(custom) = ["locationType", "note"]
                .iter()
                .find(|k| map.contains_key(**k))
            {
                sink.reject(
                    origin.at(&json_child(&path, custom)),
                    format!(
                        "custom named-location shape (`{custom}`) is not Graph's namedLocation; \
                         export it from Graph (`/identity/conditionalAccess/namedLocations`), \
                         where `@odata.type` gives the kind"
                    ),
                );
                return;
            }
            if map.contains_key("ipRanges") {
                NamedLocationKind::Ip
            } else if map.contains_key("countriesAndRegions") {
                NamedLocationKind::Country
            } else if map.contains_key("compliantNetworkType") {
                NamedLocationKind::CompliantNetwork
            } else if map.contains_key("privateLinkResourcePolicyIds") {
                NamedLocationKind::PrivateLink
            } else if map.contains_key("serviceTags") {
                NamedLocationKind::ServiceTag
            } else {
                sink.reject(
                    origin.at(&path),
                    format!("not a named location: this is {}", describe_other(&map)),
                );
                return;
            }
        }
    };
    map.insert(
        "@odata.type".into(),
        Value::String(kind.odata_type().into()),
    );
    let location: NamedLocation = match deserialize_at(Value::Object(map), &path) {
        Ok(l) => l,
        Err((at, msg)) => {
            sink.reject(origin.at(&at), msg);
            return;
        }
    };
    if kind == NamedLocationKind::Ip {
        for (i, r) in location.ip_ranges.iter().enumerate() {
            let at = format!("{path}.ipRanges[{i}].cidrAddress");
            match r.cidr_address.as_deref().map(str::trim) {
                None | Some("") => {
                    sink.reject(origin.at(&at), "missing CIDR range (`cidrAddress`)");
                    return;
                }
                Some(c) => {
                    if let Err(e) = c.parse::<IpNet>() {
                        sink.reject(
                            origin.at(&at),
                            format!("{c:?} is not a CIDR range like 203.0.113.0/24 or 2001:db8::/48 ({e})"),
                        );
                        return;
                    }
                }
            }
        }
    }
    sink.items.push(LoadedLocation {
        location,
        origin: origin.at(&path),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> (Vec<LoadedLocation>, Vec<Rejection>) {
        parse_named_locations_str(t, &Origin::file("l.json"))
    }

    #[test]
    fn graph_kinds_and_inference() {
        let (ok, rej) = parse(
            r##"{"value":[{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"a","ipRanges":[{"cidrAddress":"203.0.113.0/24"},{"cidrAddress":"2001:db8::/48"}],"isTrusted":true},
            {"@odata.type":"#microsoft.graph.countryNamedLocation","countriesAndRegions":["KP"]},
            {"displayname":"x","ipRanges":[{"cidrAddress":"198.51.100.0/25"}]}]}"##,
        );
        assert!(rej.is_empty(), "{rej:?}");
        assert_eq!(ok[0].location.networks().len(), 2);
        assert_eq!(ok[1].location.kind(), Some(NamedLocationKind::Country));
        assert_eq!(ok[2].location.kind(), Some(NamedLocationKind::Ip));
        assert_eq!(ok[2].location.display_name.as_deref(), Some("x"));
    }

    #[test]
    fn bad_cidr_and_custom_shape() {
        let (_, rej) = parse(
            r##"[{"@odata.type":"#microsoft.graph.ipNamedLocation","ipRanges":[{"cidrAddress":"10.0.0.0/8"},{"cidrAddress":"300.1.1.1/24"}]}]"##,
        );
        assert_eq!(
            rej[0].origin.json_path.as_deref(),
            Some("$[0].ipRanges[1].cidrAddress")
        );
        let (_, rej) =
            parse(r#"{"displayName":"x","locationType":"ipNamedLocation","ipRanges":[]}"#);
        assert!(rej[0].message.contains("custom named-location shape"));
        let (_, rej) = parse(r#"{"error":{"code":"x","message":"y"}}"#);
        assert!(rej[0].message.contains("Graph error"));
    }
}
