//! Property tests of the evaluator (design.md: three-valued, exclusions, block wins).
//!
//! 1. Adding an exclusion never makes a policy apply to more events.
//! 2. Adding an enabled policy never turns a Blocked event into anything else.
//! 3. An Unknown condition never becomes Yes by adding facts irrelevant to it.

use careplay::engine::{compile, Applicability, ConditionName, Decision, TenantInputs};
use careplay::model::{
    AuthMethod, ClientAppType, Country, DeviceFacts, EventFacts, EventKind, Externality, Platform,
    RiskLevel,
};
use careplay::policy::directory::DirectoryFile;
use careplay::policy::{Directory, NamedLocation, Policy};
use proptest::prelude::*;
use serde_json::{json, Value};

const USERS: [&str; 3] = [
    "aaaaaaaa-0000-4000-8000-000000000001",
    "aaaaaaaa-0000-4000-8000-000000000002",
    "aaaaaaaa-0000-4000-8000-000000000003",
];
const GROUP: &str = "99999999-0000-4000-8000-000000000001";
const APPS: [&str; 3] = [
    "00000003-0000-0ff1-ce00-000000000000",
    "00000002-0000-0ff1-ce00-000000000000",
    "dddddddd-0000-4000-8000-000000000001",
];
const LOC_TRUSTED: &str = "0a1b2c3d-0000-4000-8000-00000000aa01";
const LOC_COUNTRY: &str = "0a1b2c3d-0000-4000-8000-00000000aa03";
const IPS: [&str; 3] = ["203.0.113.5", "198.51.100.7", "2001:db8:10::1"];

fn directory() -> Directory {
    let f: DirectoryFile = serde_json::from_value(json!({
        "tenantId": "11111111-1111-4111-8111-111111111111",
        "users": [
            {"id": USERS[0], "userType": "Member"},
            {"id": USERS[1], "userType": "Member", "groups": [GROUP]},
            {"id": USERS[2], "userType": "Member"},
        ],
        "groups": [{"id": GROUP}],
    }))
    .unwrap_or_default();
    Directory::from_file(f)
}

fn locations() -> Vec<NamedLocation> {
    serde_json::from_value(json!([
        {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": LOC_TRUSTED, "isTrusted": true,
         "ipRanges": [{"cidrAddress": "203.0.113.0/24"}, {"cidrAddress": "2001:db8:10::/48"}]},
        {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": LOC_COUNTRY,
         "countriesAndRegions": ["KP", "RU"], "includeUnknownCountriesAndRegions": true}
    ]))
    .unwrap_or_default()
}

/// A policy built from small choices; `grant` 0 = block, 1 = mfa, 2 = compliant device.
#[derive(Debug, Clone)]
struct PolicySpec {
    include_all_users: bool,
    include_user: usize,
    include_group: bool,
    apps: Vec<usize>,
    all_apps: bool,
    location: Option<usize>,
    platform: Option<bool>,
    risk: bool,
    grant: usize,
}

fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (
        any::<bool>(),
        0..3usize,
        any::<bool>(),
        proptest::collection::vec(0..3usize, 0..3),
        any::<bool>(),
        proptest::option::of(0..3usize),
        proptest::option::of(any::<bool>()),
        any::<bool>(),
        0..3usize,
    )
        .prop_map(|(a, u, g, apps, all, loc, plat, risk, grant)| PolicySpec {
            include_all_users: a,
            include_user: u,
            include_group: g,
            apps,
            all_apps: all,
            location: loc,
            platform: plat,
            risk,
            grant,
        })
}

fn policy_json(s: &PolicySpec) -> Value {
    let mut users =
        json!({"includeUsers": [if s.include_all_users { "All" } else { USERS[s.include_user] }]});
    if s.include_group {
        users["includeGroups"] = json!([GROUP]);
    }
    let apps: Vec<&str> = if s.all_apps || s.apps.is_empty() {
        vec!["All"]
    } else {
        s.apps.iter().map(|i| APPS[*i]).collect()
    };
    let mut conditions = json!({"users": users, "applications": {"includeApplications": apps},
        "clientAppTypes": ["all"]});
    match s.location {
        Some(0) => {
            conditions["locations"] =
                json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})
        }
        Some(1) => conditions["locations"] = json!({"includeLocations": [LOC_COUNTRY]}),
        Some(_) => conditions["locations"] = json!({"includeLocations": ["AllTrusted"]}),
        None => {}
    }
    if let Some(mobile) = s.platform {
        conditions["platforms"] = json!({"includePlatforms": if mobile { json!(["iOS", "android"]) } else { json!(["all"]) }});
    }
    if s.risk {
        conditions["signInRiskLevels"] = json!(["high", "medium"]);
    }
    let grant = match s.grant {
        0 => json!({"operator": "OR", "builtInControls": ["block"]}),
        1 => json!({"operator": "OR", "builtInControls": ["mfa"]}),
        _ => json!({"operator": "OR", "builtInControls": ["compliantDevice"]}),
    };
    json!({"id": "p", "displayName": "p", "state": "enabled", "conditions": conditions, "grantControls": grant})
}

fn to_policy(v: Value) -> Policy {
    serde_json::from_value(v).unwrap_or_default()
}

#[derive(Debug, Clone)]
struct EventSpec {
    user: usize,
    resource: usize,
    ip: Option<usize>,
    country: Option<bool>,
    platform: Option<bool>,
    client: Option<bool>,
    risk: Option<bool>,
    mfa: bool,
    directory: bool,
}

fn event_spec() -> impl Strategy<Value = EventSpec> {
    (
        0..3usize,
        0..3usize,
        proptest::option::of(0..3usize),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(user, resource, ip, country, platform, client, risk, mfa, directory)| EventSpec {
                user,
                resource,
                ip,
                country,
                platform,
                client,
                risk,
                mfa,
                directory,
            },
        )
}

fn facts(e: &EventSpec) -> EventFacts {
    EventFacts {
        kind: Some(EventKind::Interactive),
        user_id: Some(USERS[e.user].to_string()),
        externality: Some(Externality::Internal),
        resource_id: Some(APPS[e.resource].to_string()),
        user_action: Some(None),
        auth_contexts: Some(vec![]),
        ip: e.ip.and_then(|i| IPS[i].parse().ok()),
        country: e.country.map(|kp| {
            if kp {
                Country::Code("KP".into())
            } else {
                Country::NoCountry
            }
        }),
        platform: e
            .platform
            .map(|m| if m { Platform::Ios } else { Platform::Windows }),
        client_app: e.client.map(|b| {
            if b {
                ClientAppType::Browser
            } else {
                ClientAppType::MobileAppsAndDesktopClients
            }
        }),
        device: DeviceFacts {
            registered: Some(false),
            ..DeviceFacts::default()
        },
        sign_in_risk: e
            .risk
            .map(|h| if h { RiskLevel::High } else { RiskLevel::Low }),
        methods: Some(if e.mfa {
            vec![AuthMethod::Password, AuthMethod::Sms]
        } else {
            vec![AuthMethod::Password]
        }),
        mfa_claim: Some(false),
        ..EventFacts::default()
    }
}

fn rank(a: &Applicability) -> u8 {
    match a {
        Applicability::NotApplied { .. } => 0,
        Applicability::Unknown { .. } => 1,
        Applicability::Applies => 2,
    }
}

fn applicability(
    p: &Value,
    e: &EventSpec,
    dir: &Directory,
    locs: &[NamedLocation],
) -> Applicability {
    let set = compile(
        &[to_policy(p.clone())],
        &TenantInputs {
            directory: e.directory.then_some(dir),
            locations: locs,
            ..TenantInputs::default()
        },
    );
    let r = set.evaluate(&facts(e));
    r.policies[0].applicability.clone()
}

/// Append `id` to the list at `v[key]` (creating it).
fn push(v: &mut Value, key: &str, id: &str) {
    match v.get_mut(key).and_then(|l| l.as_array_mut()) {
        Some(list) => list.push(json!(id)),
        None => v[key] = json!([id]),
    }
}

/// Add one exclusion of kind `k` to a policy (existing exclusions are kept).
fn add_exclusion(p: &Value, k: usize, pick: usize) -> Value {
    let mut p = p.clone();
    let c = &mut p["conditions"];
    match k {
        0 => push(&mut c["users"], "excludeUsers", USERS[pick % 3]),
        1 => push(&mut c["users"], "excludeGroups", GROUP),
        2 => push(
            &mut c["applications"],
            "excludeApplications",
            APPS[pick % 3],
        ),
        3 => {
            if c.get("locations").is_none() {
                c["locations"] = json!({"includeLocations": ["All"]});
            }
            let id = if pick.is_multiple_of(2) {
                LOC_TRUSTED
            } else {
                LOC_COUNTRY
            };
            push(&mut c["locations"], "excludeLocations", id);
        }
        _ => {
            if c.get("platforms").is_none() {
                c["platforms"] = json!({"includePlatforms": ["all"]});
            }
            let os = if pick.is_multiple_of(2) {
                "iOS"
            } else {
                "windows"
            };
            push(&mut c["platforms"], "excludePlatforms", os);
        }
    }
    p
}

/// Conditions whose facts `fill` sets, and the filling itself.
fn fill_irrelevant(e: &EventSpec, keep: &[ConditionName]) -> EventSpec {
    let mut f = e.clone();
    if !keep.contains(&ConditionName::Location) {
        f.ip = Some(f.ip.unwrap_or(1));
        f.country = Some(f.country.unwrap_or(false));
    }
    if !keep.contains(&ConditionName::DevicePlatform) {
        f.platform = Some(f.platform.unwrap_or(false));
    }
    if !keep.contains(&ConditionName::ClientApps) {
        f.client = Some(f.client.unwrap_or(true));
    }
    if !keep.contains(&ConditionName::SignInRisk) {
        f.risk = Some(f.risk.unwrap_or(true));
    }
    if !keep.contains(&ConditionName::Users) {
        f.directory = true;
    }
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn adding_an_exclusion_never_widens(spec in policy_spec(), ev in event_spec(), k in 0..5usize, pick in 0..6usize) {
        let dir = directory();
        let locs = locations();
        let base = policy_json(&spec);
        let narrowed = add_exclusion(&base, k, pick);
        let a = applicability(&base, &ev, &dir, &locs);
        let b = applicability(&narrowed, &ev, &dir, &locs);
        prop_assert!(rank(&b) <= rank(&a), "exclusion widened: {:?} -> {:?}", a, b);
    }

    #[test]
    fn adding_an_enabled_policy_never_unblocks(specs in proptest::collection::vec(policy_spec(), 1..4), extra in policy_spec(), ev in event_spec()) {
        let dir = directory();
        let locs = locations();
        let tenant = TenantInputs { directory: ev.directory.then_some(&dir), locations: &locs, ..TenantInputs::default() };
        let base: Vec<Policy> = specs.iter().map(|s| to_policy(policy_json(s))).collect();
        let mut more = base.clone();
        more.push(to_policy(policy_json(&extra)));
        let before = compile(&base, &tenant).evaluate(&facts(&ev)).decision;
        let after = compile(&more, &tenant).evaluate(&facts(&ev)).decision;
        if matches!(before, Decision::Blocked { .. }) {
            prop_assert!(matches!(after, Decision::Blocked { .. }), "{:?} -> {:?}", before, after);
        }
    }

    #[test]
    fn unknown_never_becomes_yes_from_irrelevant_facts(spec in policy_spec(), ev in event_spec()) {
        let dir = directory();
        let locs = locations();
        let p = policy_json(&spec);
        if let Applicability::Unknown { conditions } = applicability(&p, &ev, &dir, &locs) {
            let keep: Vec<ConditionName> = conditions.iter().map(|(c, _)| *c).collect();
            let filled = fill_irrelevant(&ev, &keep);
            let after = applicability(&p, &filled, &dir, &locs);
            match &after {
                Applicability::Applies => prop_assert!(false, "Unknown {:?} became Applies", keep),
                Applicability::Unknown { conditions: now } => {
                    for c in &keep {
                        prop_assert!(now.iter().any(|(n, _)| n == c), "{} stopped being Unknown", c);
                    }
                }
                Applicability::NotApplied { .. } => {}
            }
        }
    }
}
