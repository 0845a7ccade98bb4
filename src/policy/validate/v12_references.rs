//! V12: referenced named locations, authentication strengths, users, groups and service
//! principals exist in the tenant data supplied (`--locations`, `--strengths`,
//! `--directory`). A kind whose data was not supplied is not checked. A missing
//! reference is evaluated as Unknown by the engine, hence a warning (policy-model.md §15).
use crate::policy::finding::{define_rule, Hit, Severity, TenantData};
use crate::policy::model::Policy;
use crate::policy::strengths::builtin_strengths;
use crate::policy::view;
use std::collections::BTreeSet;

/// policy-model.md §8: `00000000-…` is the legacy "MFA trusted IPs" pseudo-location.
const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";
const LOCATION_KEYWORDS: &[&str] = &[
    "All",
    "AllTrusted",
    "AllCompliantNetworkLocations",
    MFA_TRUSTED_IPS,
];

fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

fn locations(p: &Policy, t: &TenantData, hits: &mut Vec<Hit>) {
    let (Some(known), Some(l)) = (
        &t.locations,
        view::conditions(p).and_then(|c| c.locations.as_ref()),
    ) else {
        return;
    };
    let ids: BTreeSet<String> = known
        .iter()
        .filter_map(|l| l.id.as_deref())
        .map(norm)
        .collect();
    for (field, list) in [
        ("includeLocations", &l.include_locations),
        ("excludeLocations", &l.exclude_locations),
    ] {
        for (i, id) in list.iter().enumerate() {
            if LOCATION_KEYWORDS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(id.trim()))
                || ids.contains(&norm(id))
            {
                continue;
            }
            hits.push(Hit::new(
                format!(".conditions.locations.{field}[{i}]"),
                format!("named location {id} is not in the supplied named locations"),
            ));
        }
    }
}

fn strength(p: &Policy, t: &TenantData, hits: &mut Vec<Hit>) {
    let Some(s) = view::strength(p) else { return };
    let Some(id) = s.id.as_deref() else {
        if s.allowed_combinations.is_empty() {
            hits.push(Hit::new(
                ".grantControls.authenticationStrength",
                "authentication strength has neither an id nor allowedCombinations",
            ));
        }
        return;
    };
    if !s.allowed_combinations.is_empty() {
        return; // embedded object: evaluable as is (policy-model.md §11)
    }
    let builtins = builtin_strengths();
    if t.resolve_strength(s, &builtins).is_some() {
        return;
    }
    if t.strengths.is_some() {
        hits.push(Hit::new(
            ".grantControls.authenticationStrength.id",
            format!(
                "authentication strength {id} is neither built in nor in the supplied strengths"
            ),
        ));
    }
}

fn directory(p: &Policy, t: &TenantData, hits: &mut Vec<Hit>) {
    let Some(d) = &t.directory else { return };
    if let Some(u) = view::users(p) {
        let mut groups: BTreeSet<String> = BTreeSet::new();
        for user in d.users() {
            if let Some(g) = d.transitive_groups(&user.id) {
                groups.extend(g.iter().cloned());
            }
        }
        for (field, list) in [
            ("includeUsers", &u.include_users),
            ("excludeUsers", &u.exclude_users),
        ] {
            for (i, id) in list.iter().enumerate() {
                let keyword = ["All", "None", "GuestsOrExternalUsers"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(id.trim()));
                if !keyword && d.user(id).is_none() {
                    hits.push(Hit::new(
                        format!(".conditions.users.{field}[{i}]"),
                        format!("user {id} is not in the directory snapshot"),
                    ));
                }
            }
        }
        for (field, list) in [
            ("includeGroups", &u.include_groups),
            ("excludeGroups", &u.exclude_groups),
        ] {
            for (i, id) in list.iter().enumerate() {
                if d.group(id).is_none() && !groups.contains(&norm(id)) {
                    hits.push(Hit::new(
                        format!(".conditions.users.{field}[{i}]"),
                        format!("group {id} is not in the directory snapshot (membership will be Unknown)"),
                    ));
                }
            }
        }
    }
    if let Some(ca) = view::client_apps(p) {
        for (field, list) in [
            ("includeServicePrincipals", &ca.include_service_principals),
            ("excludeServicePrincipals", &ca.exclude_service_principals),
        ] {
            for (i, id) in list.iter().enumerate() {
                if !id
                    .trim()
                    .eq_ignore_ascii_case("ServicePrincipalsInMyTenant")
                    && d.service_principal(id).is_none()
                {
                    hits.push(Hit::new(
                        format!(".conditions.clientApplications.{field}[{i}]"),
                        format!("service principal {id} is not in the directory snapshot"),
                    ));
                }
            }
        }
    }
}

define_rule!(References, "V12", "unknown-reference", Severity::Warning,
    "referenced locations, strengths, users, groups and service principals exist in the tenant data",
    |p, t| {
        let mut hits = Vec::new();
        locations(p, t, &mut hits);
        strength(p, t, &mut hits);
        directory(p, t, &mut hits);
        hits
    });
