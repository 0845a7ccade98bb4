//! Selectors resolved against the tenant snapshot, and matched against replayed events.
//! A group, role or named location the snapshot lacks is an error (a selector that could
//! never match would let its expectation pass on nothing); an event whose fact the
//! selector needs is not known (a user missing from the directory snapshot, an IP not
//! logged) is neither selected nor silently dropped: it is counted as undetermined.

use ipnet::IpNet;
use rustc_hash::FxHashSet;

use super::load::Loaded;
use super::model::{ClientAppSel, EventTypeSel, Selector, UserActionSel, UserTypeSel};
use super::Problem;
use crate::model::{Country, EventFacts, UserAction};
use crate::policy::{Directory, NamedLocation};
use crate::replay::Tenant;
use crate::report::EventRow;

/// Whether an event is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Yes,
    No,
    /// A fact the selector reads is not known for this event.
    Undetermined(&'static str),
}

/// A named location, as the selector reads it.
#[derive(Debug, Clone)]
struct Place {
    ranges: Vec<IpNet>,
    countries: Vec<String>,
}

/// A selector ready to match events. Strings are lower-cased (ids and names match
/// case-insensitively, as the evaluator matches them).
#[derive(Debug, Clone, Default)]
pub struct CompiledSelector {
    /// Lower-cased user ids and UPNs given, plus the ids the directory resolves UPNs to.
    users: FxHashSet<String>,
    groups: Vec<String>,
    roles: Vec<String>,
    user_types: Vec<UserTypeSel>,
    apps: Vec<String>,
    user_actions: Vec<UserActionSel>,
    places: Vec<Place>,
    trusted: Option<(bool, Vec<IpNet>)>,
    client_apps: Vec<ClientAppSel>,
    event_types: Vec<EventTypeSel>,
    event_ids: FxHashSet<String>,
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.trim().to_ascii_lowercase()).collect()
}

/// `gina_fabrikam.example#EXT#@tenant.onmicrosoft.com` -> `gina@fabrikam.example`.
fn home_upn(upn: &str) -> Option<String> {
    let (local, _) = upn.split_once("#ext#")?;
    let i = local.rfind('_')?;
    Some(format!("{}@{}", &local[..i], &local[i + 1..]))
}

fn ranges(l: &NamedLocation) -> Vec<IpNet> {
    l.ip_ranges
        .iter()
        .filter_map(|r| r.cidr_address.as_deref()?.trim().parse().ok())
        .collect()
}

impl CompiledSelector {
    /// Resolve `sel` (of expectation `l`) against the snapshot.
    pub fn compile(
        sel: &Selector,
        l: &Loaded,
        tenant: &Tenant,
    ) -> Result<CompiledSelector, Vec<Problem>> {
        let directory = tenant.directory.as_ref();
        let locations = &tenant.locations;
        let no_locations_snapshot = tenant.no_locations_snapshot;
        let mut problems = Vec::new();
        let needs_dir = !sel.group.is_empty() || !sel.role.is_empty() || !sel.user_type.is_empty();
        if needs_dir && directory.is_none() {
            problems.push(Problem::new(
                l.at("select"),
                "`group`, `role` and `user_type` are read from the directory snapshot, and this \
                 tenant has none (directory.json or --directory)",
            ));
        }
        let mut users: FxHashSet<String> = lower(&sel.user).into_iter().collect();
        if let Some(d) = directory {
            for u in d.users() {
                let upn = u
                    .user_principal_name
                    .as_deref()
                    .map(str::to_ascii_lowercase);
                let home = upn.as_deref().and_then(home_upn);
                if upn.iter().chain(home.iter()).any(|n| users.contains(n)) {
                    users.insert(u.id.trim().to_ascii_lowercase());
                }
            }
        }
        let mut groups = Vec::new();
        for (j, g) in sel.group.iter().enumerate() {
            let Some(d) = directory else { break };
            let key = g.trim().to_ascii_lowercase();
            if d.knows_group(&key) {
                groups.push(key);
                continue;
            }
            let named: Vec<String> = d
                .groups()
                .filter(|x| {
                    x.display_name
                        .as_deref()
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(g.trim()))
                })
                .map(|x| x.id.trim().to_ascii_lowercase())
                .collect();
            match named.as_slice() {
                [one] => groups.push(one.clone()),
                [] => problems.push(Problem::new(
                    l.at(&format!("select.group[{j}]")),
                    format!(
                        "group `{g}` is not in the directory snapshot (by id or display name): \
                         this selector could never match"
                    ),
                )),
                many => problems.push(Problem::new(
                    l.at(&format!("select.group[{j}]")),
                    format!(
                        "{} groups are named `{g}` ({}): give the group id",
                        many.len(),
                        many.join(", ")
                    ),
                )),
            }
        }
        let roles = lower(&sel.role);
        if let Some(d) = directory {
            for (j, r) in roles.iter().enumerate() {
                let held = d
                    .users()
                    .any(|u| u.roles.iter().any(|x| x.trim().eq_ignore_ascii_case(r)));
                if !held {
                    problems.push(Problem::new(
                        l.at(&format!("select.role[{j}]")),
                        format!(
                            "no user in the directory snapshot holds role `{r}` (a role template \
                             id, active assignments): this selector could never match"
                        ),
                    ));
                }
            }
        }
        let needs_locations = !sel.location.is_empty() || sel.trusted_location.is_some();
        if needs_locations && no_locations_snapshot {
            problems.push(Problem::new(
                l.at("select"),
                "`location` and `trusted_location` are read from the named locations, and this \
                 tenant has none (namedLocations.json or --locations)",
            ));
        }
        let mut places = Vec::new();
        for (j, name) in sel.location.iter().enumerate() {
            let found: Vec<&NamedLocation> = locations
                .iter()
                .filter(|x| {
                    [&x.display_name, &x.id].iter().any(|v| {
                        v.as_deref()
                            .is_some_and(|v| v.trim().eq_ignore_ascii_case(name.trim()))
                    })
                })
                .collect();
            if found.is_empty() && !no_locations_snapshot {
                problems.push(Problem::new(
                    l.at(&format!("select.location[{j}]")),
                    format!("named location `{name}` is not in the named locations (by display name or id)"),
                ));
            }
            places.extend(found.into_iter().map(|x| {
                Place {
                    ranges: ranges(x),
                    countries: x
                        .countries_and_regions
                        .iter()
                        .map(|c| c.trim().to_ascii_uppercase())
                        .collect(),
                }
            }));
        }
        // Trusted as "All trusted networks and locations" counts it: trusted named locations
        // and the MFA trusted IPs the tenant settings state (concept-assignment-network.md).
        let trusted = sel.trusted_location.map(|t| {
            let nets = locations
                .iter()
                .filter(|x| x.is_trusted == Some(true))
                .flat_map(ranges)
                .chain(tenant.settings.mfa_trusted_ips.iter().flatten().copied())
                .collect();
            (t, nets)
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CompiledSelector {
            users,
            groups,
            roles,
            user_types: sel.user_type.clone(),
            apps: lower(&sel.app),
            user_actions: sel.user_action.clone(),
            places,
            trusted,
            client_apps: sel.client_app.clone(),
            event_types: sel.event_type.clone(),
            event_ids: lower(&sel.event_id).into_iter().collect(),
        })
    }

    /// Whether the event (its log facts and its row) is selected: every criterion given
    /// must hold; a criterion that is not known for it makes it undetermined.
    pub fn matches(&self, facts: &EventFacts, row: &EventRow, dir: Option<&Directory>) -> Match {
        let mut undetermined = None;
        let checks: [&dyn Fn() -> Match; 9] = [
            &|| self.user_match(row),
            &|| self.directory_match(row, dir),
            &|| {
                any_of(&self.apps, |a| {
                    [
                        &row.app_id,
                        &row.app_display_name,
                        &row.resource_id,
                        &row.resource_display_name,
                    ]
                    .iter()
                    .any(|v| {
                        v.as_deref()
                            .is_some_and(|v| v.trim().eq_ignore_ascii_case(a))
                    })
                })
            },
            &|| self.user_action_match(facts),
            &|| self.place_match(facts),
            &|| self.trusted_match(facts),
            &|| any_of(&self.client_apps, |c| row.client_app_type == c.as_str()),
            &|| any_of(&self.event_types, |t| row.event_type == t.as_str()),
            &|| {
                if self.event_ids.is_empty() {
                    Match::Yes
                } else {
                    yes_no(
                        self.event_ids
                            .contains(&row.request_id.trim().to_ascii_lowercase()),
                    )
                }
            },
        ];
        for c in checks {
            match c() {
                Match::No => return Match::No,
                Match::Undetermined(why) => undetermined = undetermined.or(Some(why)),
                Match::Yes => {}
            }
        }
        undetermined.map_or(Match::Yes, Match::Undetermined)
    }

    fn user_match(&self, row: &EventRow) -> Match {
        if self.users.is_empty() {
            return Match::Yes;
        }
        if workload(row) {
            return Match::No;
        }
        let id = row
            .user_id
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase());
        let upn = row
            .user_principal_name
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase());
        let home = upn.as_deref().and_then(home_upn);
        if id
            .iter()
            .chain(upn.iter())
            .chain(home.iter())
            .any(|k| self.users.contains(k))
        {
            Match::Yes
        } else if id.is_none() && upn.is_none() {
            Match::Undetermined("the event logs no user")
        } else {
            Match::No
        }
    }

    fn directory_match(&self, row: &EventRow, dir: Option<&Directory>) -> Match {
        if self.groups.is_empty() && self.roles.is_empty() && self.user_types.is_empty() {
            return Match::Yes;
        }
        // A workload identity is in no user's group, role or user type.
        if workload(row) {
            return Match::No;
        }
        let (Some(d), Some(id)) = (dir, row.user_id.as_deref()) else {
            return Match::Undetermined("the event logs no user id");
        };
        let Some(user) = d.user(id) else {
            return Match::Undetermined("user not in the directory snapshot");
        };
        if !self.groups.is_empty() {
            let held = d
                .transitive_groups(id)
                .is_some_and(|gs| self.groups.iter().any(|g| gs.contains(g)));
            if !held {
                return Match::No;
            }
        }
        if !self.roles.is_empty()
            && !user
                .roles
                .iter()
                .any(|r| self.roles.contains(&r.trim().to_ascii_lowercase()))
        {
            return Match::No;
        }
        if !self.user_types.is_empty() {
            let kind = match user.user_type.as_deref().map(str::trim) {
                Some(t) if t.eq_ignore_ascii_case("guest") => UserTypeSel::Guest,
                Some(t) if t.eq_ignore_ascii_case("member") => UserTypeSel::Member,
                _ => return Match::Undetermined("user type not in the directory snapshot"),
            };
            if !self.user_types.contains(&kind) {
                return Match::No;
            }
        }
        Match::Yes
    }

    fn user_action_match(&self, f: &EventFacts) -> Match {
        if self.user_actions.is_empty() {
            return Match::Yes;
        }
        let Some(action) = f.user_action else {
            return Match::Undetermined("the log does not show whether a user action was involved");
        };
        let want = |a: &UserActionSel| match a {
            UserActionSel::RegisterSecurityInfo => action == Some(UserAction::RegisterSecurityInfo),
            UserActionSel::RegisterDevice => action == Some(UserAction::RegisterDevice),
            UserActionSel::None => action.is_none(),
        };
        yes_no(self.user_actions.iter().any(want))
    }

    fn place_match(&self, f: &EventFacts) -> Match {
        if self.places.is_empty() {
            return Match::Yes;
        }
        let mut unknown = false;
        for p in &self.places {
            match f.ip {
                Some(ip) if p.ranges.iter().any(|n| n.contains(&ip)) => return Match::Yes,
                None if !p.ranges.is_empty() => unknown = true,
                _ => {}
            }
            match &f.country {
                Some(Country::Code(c)) if p.countries.iter().any(|x| x == c) => return Match::Yes,
                None if !p.countries.is_empty() => unknown = true,
                _ => {}
            }
        }
        if unknown {
            Match::Undetermined("the event's IP or country is not logged")
        } else {
            Match::No
        }
    }

    fn trusted_match(&self, f: &EventFacts) -> Match {
        let Some((want, nets)) = &self.trusted else {
            return Match::Yes;
        };
        match f.ip {
            Some(ip) => yes_no(nets.iter().any(|n| n.contains(&ip)) == *want),
            None => Match::Undetermined("the event's IP is not logged"),
        }
    }
}

/// A service principal or managed identity sign-in: no user.
fn workload(row: &EventRow) -> bool {
    matches!(
        row.event_type.as_str(),
        "servicePrincipal" | "managedIdentity"
    )
}

fn yes_no(b: bool) -> Match {
    if b {
        Match::Yes
    } else {
        Match::No
    }
}

/// An empty list selects everything; otherwise any item must match.
fn any_of<T>(items: &[T], f: impl Fn(&T) -> bool) -> Match {
    yes_no(items.is_empty() || items.iter().any(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_upn_matches_its_home_upn() {
        assert_eq!(
            home_upn("gina_fabrikam.example#ext#@woodgrove.onmicrosoft.example").as_deref(),
            Some("gina@fabrikam.example")
        );
        assert_eq!(home_upn("alice@woodgrove.example"), None);
    }

    #[test]
    fn an_unlogged_ip_is_undetermined_not_untrusted() {
        let sel = CompiledSelector {
            trusted: Some((false, vec!["203.0.113.0/24".parse().unwrap()])),
            ..CompiledSelector::default()
        };
        let mut f = EventFacts::default();
        assert!(matches!(sel.trusted_match(&f), Match::Undetermined(_)));
        f.ip = Some("203.0.113.9".parse().unwrap());
        assert_eq!(sel.trusted_match(&f), Match::No);
        f.ip = Some("198.51.100.7".parse().unwrap());
        assert_eq!(sel.trusted_match(&f), Match::Yes);
    }
}
