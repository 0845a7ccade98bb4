//! Application bundles and service dependencies as data (evaluation.md §3.4b;
//! policy-model.md §4). The tables are dated, sourced files under `src/engine/data/`
//! (one row per member: app id, name, member, source); edit them, not the code.
//!
//! Microsoft publishes the bundles' members by *name*; the app ids come from a public list
//! of first-party app ids (each file's header says which, and when it was read). So a
//! bundle cannot always place an app:
//!
//! * a row `yes` is a member, a row `no` a well-known first-party app that is not, a row
//!   `maybe` an id whose display name only resembles a listed name: Unknown;
//! * an app the table does not list is placed from the tenant's `directory.json`
//!   `servicePrincipals` when it can be: an app owned by any organisation other than
//!   Microsoft (the tenant's own app registrations, third-party apps) is no member of a
//!   Microsoft bundle, whose members are all Microsoft services; a Microsoft-owned service
//!   principal is placed by its display name when the bundle's list is complete
//!   (Office 365: "A complete list of all services included", concept-conditional-access-
//!   cloud-apps.md § "Office 365"; Azure management: "This grouping includes the
//!   application IDs of:" five names);
//! * anything else is Unknown with the reason, never a confident "not applied" (include) or
//!   "not excluded" (exclude), except for a bundle whose list is closed *by id*.

use crate::model::{Reason, Tri};
use crate::policy::directory::id_key;
use crate::policy::Directory;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

/// (appId, display name, source tag)
pub type BundleEntry = (&'static str, &'static str, &'static str);

/// App id of the Windows Azure Service Management API: named in a policy, it stands for the
/// whole group of [`azure_management`] (concept-conditional-access-cloud-apps.md § "Windows
/// Azure Service Management API").
pub const AZURE_MANAGEMENT_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// Owner tenants of Microsoft's first-party apps, as `appOwnerOrganizationId` gives them
/// (the id list behind the data files shows these two for every first-party app).
const MICROSOFT_OWNERS: [&str; 2] = [
    "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
];

/// Resources where a user-action sign-in (register security info / register or join
/// device) can happen (signin-logs.md §8.5). A row for any *other* resource is ordinary
/// resource access even when the export has no ACR list; for these, an absent ACR list
/// leaves the event kind Unknown.
pub const REGISTRATION_RESOURCES: &[BundleEntry] = &[
    ("19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins", "obs"),
    (
        "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
        "Device Registration Service",
        "doc",
    ),
];

/// Whether `app_id` (any case) is in `bundle`.
pub fn contains(bundle: &[BundleEntry], app_id: &str) -> bool {
    let a = app_id.trim();
    bundle.iter().any(|(id, _, _)| id.eq_ignore_ascii_case(a))
}

/// A data row's membership column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    Yes,
    Maybe,
    No,
}

/// How far a bundle's published list reaches, which decides what an unlisted app is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closure {
    /// Names listed, ids not: an unlisted Microsoft app may be a member.
    NamesComplete,
    /// The list grows ("continually adding"): no name is conclusive.
    Open,
    /// Every member's id is in the table: an unlisted app is no member.
    IdsComplete,
}

/// One bundle's table.
#[derive(Debug)]
pub struct Bundle {
    name: &'static str,
    closure: Closure,
    ids: FxHashMap<String, Member>,
    /// Lower-case names of the members Microsoft lists (rows `yes`).
    member_names: FxHashSet<String>,
    /// Data rows that did not parse (a unit test keeps this empty).
    bad_rows: Vec<String>,
    unplaced: Reason,
    maybe: Reason,
}

impl Bundle {
    fn parse(
        name: &'static str,
        closure: Closure,
        text: &str,
        unplaced: &'static str,
        maybe: &'static str,
    ) -> Bundle {
        let mut b = Bundle {
            name,
            closure,
            ids: FxHashMap::default(),
            member_names: FxHashSet::default(),
            bad_rows: Vec::new(),
            unplaced: Reason::Borrowed(unplaced),
            maybe: Reason::Borrowed(maybe),
        };
        for line in text.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let member = match cols.get(2).map(|s| s.trim()) {
                Some("yes") => Member::Yes,
                Some("maybe") => Member::Maybe,
                Some("no") => Member::No,
                _ => {
                    b.bad_rows.push(line.to_string());
                    continue;
                }
            };
            let (id, display) = (cols[0].trim(), cols[1].trim());
            if cols.len() != 4 || display.is_empty() || !(id == "-" || is_guid(id)) {
                b.bad_rows.push(line.to_string());
                continue;
            }
            if member == Member::Yes {
                b.member_names.insert(display.to_ascii_lowercase());
            }
            if id != "-" {
                b.ids.insert(id.to_ascii_lowercase(), member);
            }
        }
        b
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The data rows that did not parse.
    pub fn bad_rows(&self) -> &[String] {
        &self.bad_rows
    }

    /// Whether the table lists `app_id` as a member (`yes` rows only).
    pub fn lists_member(&self, app_id: &str) -> bool {
        self.ids.get(id_key(app_id).as_ref()) == Some(&Member::Yes)
    }

    /// Whether `app_id` is a member, with the tenant's directory to place unlisted apps
    /// (see the module comment for the rules and their sources).
    pub fn membership(&self, app_id: &str, dir: Option<&Directory>) -> Tri {
        let key = id_key(app_id);
        match self.ids.get(key.as_ref()) {
            Some(Member::Yes) => return Tri::Yes,
            Some(Member::No) => return Tri::No,
            Some(Member::Maybe) => return Tri::Unknown(self.maybe.clone()),
            None => {}
        }
        if self.closure == Closure::IdsComplete {
            return Tri::No;
        }
        if let Some(sp) = dir.and_then(|d| d.service_principal_by_app_id(&key)) {
            match sp.app_owner_organization_id.as_deref().map(id_key) {
                Some(owner) if !MICROSOFT_OWNERS.contains(&owner.as_ref()) => return Tri::No,
                Some(_) if self.closure == Closure::NamesComplete => {
                    let named = sp
                        .display_name
                        .as_deref()
                        .map(|n| n.trim().to_ascii_lowercase());
                    if let Some(n) = named {
                        return Tri::from_bool(self.member_names.contains(&n));
                    }
                }
                _ => {}
            }
        }
        Tri::Unknown(self.unplaced.clone())
    }
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `Office365` (data/office365.tsv).
pub fn office365() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(|| {
        Bundle::parse(
            "Office365",
            Closure::NamesComplete,
            include_str!("data/office365.tsv"),
            "resource not placed in the Office365 suite: Microsoft lists some members by name only (https://learn.microsoft.com/entra/identity/conditional-access/reference-office-365-application-contents) and careplay's table has no id for them",
            "resource may be in the Office365 suite: its app name only resembles a name in Microsoft's list",
        )
    })
}

/// `MicrosoftAdminPortals` (data/admin_portals.tsv).
pub fn admin_portals() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(|| {
        Bundle::parse(
            "MicrosoftAdminPortals",
            Closure::Open,
            include_str!("data/admin_portals.tsv"),
            "resource not placed in MicrosoftAdminPortals: Microsoft lists the portals by name and keeps adding more (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps)",
            "resource may be one of the MicrosoftAdminPortals: its app name only resembles a portal Microsoft lists",
        )
    })
}

/// The Windows Azure Service Management API group (data/azure_management.tsv).
pub fn azure_management() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(|| {
        Bundle::parse(
            "Windows Azure Service Management API",
            Closure::IdsComplete,
            include_str!("data/azure_management.tsv"),
            "resource not placed in the Windows Azure Service Management API group",
            "resource may be in the Windows Azure Service Management API group",
        )
    })
}

/// Early-bound service dependencies (data/service_dependencies.tsv): calling app id (key
/// form) → downstream app ids.
pub fn early_bound(resource: &str) -> &'static [String] {
    static T: OnceLock<FxHashMap<String, Vec<String>>> = OnceLock::new();
    let t = T.get_or_init(|| parse_dependencies(include_str!("data/service_dependencies.tsv")).0);
    t.get(id_key(resource).as_ref())
        .map(|v| v.as_slice())
        .unwrap_or(&[])
}

/// (table, rows that did not parse).
fn parse_dependencies(text: &str) -> (FxHashMap<String, Vec<String>>, Vec<String>) {
    let mut t: FxHashMap<String, Vec<String>> = FxHashMap::default();
    let mut bad = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if cols.len() != 4 || !is_guid(cols[0]) || !is_guid(cols[2]) {
            bad.push(line.to_string());
            continue;
        }
        t.entry(cols[0].to_ascii_lowercase())
            .or_default()
            .push(cols[2].to_ascii_lowercase());
    }
    (t, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::directory::{DirServicePrincipal, DirectoryFile};

    #[test]
    fn every_data_row_parses() {
        for b in [office365(), admin_portals(), azure_management()] {
            assert!(b.bad_rows().is_empty(), "{}: {:?}", b.name(), b.bad_rows());
        }
        let (t, bad) = parse_dependencies(include_str!("data/service_dependencies.tsv"));
        assert!(bad.is_empty(), "{bad:?}");
        assert!(!t.is_empty());
        // Microsoft's Office 365 list has about 130 entries; the table keeps every one.
        assert!(office365().member_names.len() >= 110);
    }

    fn dir(sps: &[(&str, &str, &str)]) -> Directory {
        Directory::from_file(DirectoryFile {
            tenant_id: Some("11111111-1111-4111-8111-111111111111".into()),
            service_principals: sps
                .iter()
                .enumerate()
                .map(|(i, (app, name, owner))| DirServicePrincipal {
                    id: format!("00000000-0000-4000-8000-00000000000{i}"),
                    app_id: Some(app.to_string()),
                    display_name: Some(name.to_string()),
                    app_owner_organization_id: Some(owner.to_string()),
                })
                .collect(),
            ..DirectoryFile::default()
        })
    }

    #[test]
    fn unlisted_apps_are_placed_from_the_directory_or_left_unknown() {
        let o = office365();
        assert_eq!(
            o.membership("905FCF26-4eb7-48a0-9ff0-8dcc7194b5ba ", None),
            Tri::Yes
        );
        assert_eq!(
            o.membership("797f4846-ba00-4fd7-ba43-dac1f8f63013", None),
            Tri::No
        );
        let own = "dddddddd-0000-4000-8000-000000000001";
        let loop_app = "eeeeeeee-0000-4000-8000-000000000001";
        let other_ms = "eeeeeeee-0000-4000-8000-000000000002";
        assert!(o.membership(own, None).is_unknown());
        let d = dir(&[
            (own, "HR portal", "11111111-1111-4111-8111-111111111111"),
            (loop_app, "Loop Web Service", MICROSOFT_OWNERS[0]),
            (other_ms, "Some Azure Service", MICROSOFT_OWNERS[0]),
        ]);
        assert_eq!(o.membership(own, Some(&d)), Tri::No);
        assert_eq!(o.membership(loop_app, Some(&d)), Tri::Yes);
        assert_eq!(o.membership(other_ms, Some(&d)), Tri::No);
        // The admin portals list is open: a Microsoft app is never placed by name.
        assert!(admin_portals().membership(other_ms, Some(&d)).is_unknown());
        // The Azure management group is closed by id.
        assert_eq!(azure_management().membership(own, None), Tri::No);
        assert_eq!(
            azure_management().membership("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", None),
            Tri::Yes
        );
    }
}
