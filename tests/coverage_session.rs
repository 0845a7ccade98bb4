//! Issue 24 items 5, 7, 8 (part) and 9 through the real binary: device objects from the
//! directory snapshot (careplay's shape and Graph's `/devices` export), `whatif` flags for
//! every fact the engine reads, session controls that decide, and report-only user-action
//! policies that Entra never evaluates.

mod common;

use common::careplay;
use serde_json::{json, Value};
use std::path::Path;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A device in the seed logs: `LT-OTTO-870`, Entra joined, compliant and managed.
const SEED_DEVICE: &str = "0d7ac855-65c2-4b2d-be92-bb7a0d17eaf6";

fn block_filter_policy(id: &str, name: &str, rule: &str) -> Value {
    json!({
        "id": id,
        "displayName": name,
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "devices": {"deviceFilter": {"mode": "include", "rule": rule}}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

fn write_json(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// The seed directory snapshot with `devices` added (careplay's own shape).
fn add_devices(dir: &Path, devices: Value) {
    let path = dir.join("directory.json");
    let mut d: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    d["devices"] = devices;
    write_json(&path, &d);
}

fn replay_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["replay", s(dir), "--format", "json"];
    args.extend_from_slice(extra);
    let r = careplay(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn directory_devices_decide_a_model_filter_in_a_replay() {
    let (tmp, dir) = common::seed_copy();
    add_devices(
        &dir,
        json!([{"deviceId": SEED_DEVICE, "displayName": "LT-OTTO-870",
                "manufacturer": "Microsoft Corporation", "model": "Surface Laptop 5",
                "trustType": "AzureAd", "isCompliant": true, "isManaged": true}]),
    );
    let policy = tmp.path().join("block-surface.json");
    write_json(
        &policy,
        &block_filter_policy(
            "9e0d0000-0000-4000-8000-000000000001",
            "Block Surface Laptop 5",
            r#"device.model -eq "Surface Laptop 5""#,
        ),
    );
    let v = replay_json(&dir, &["--add", s(&policy)]);
    // The device's sign-ins (12 rows in the seed logs) become blocked; the other devices
    // are in no snapshot, so their model is Unknown, never "not Surface".
    // Before devices were loaded from directory.json, all 12 were Unknown.
    assert_eq!(
        v["totals"]["newly_blocked"]["events"], 12,
        "{}",
        v["totals"]
    );
    assert_eq!(v["totals"]["newly_blocked"]["users"], 1, "{}", v["totals"]);
    // 296 = the 308 registered-device rows minus the 12 of the snapshot's device.
    assert_eq!(
        v["totals"]["newly_unknown"]["events"], 296,
        "{}",
        v["totals"]
    );
}

#[test]
fn graph_devices_export_shape_with_extension_attributes() {
    let (tmp, dir) = common::seed_copy();
    // Graph `GET /devices` page: object id, deviceId, extensionAttributes object with
    // extensionAttributeN keys (null ones included), and fields careplay does not use.
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#devices",
        "value": [{
            "@odata.type": "#microsoft.graph.device",
            "id": "5d2b0000-0000-4000-8000-0000000000ob",
            "deviceId": SEED_DEVICE,
            "accountEnabled": true,
            "displayName": "LT-OTTO-870",
            "manufacturer": "Microsoft Corporation",
            "model": "Surface Laptop 5",
            "operatingSystem": "Windows",
            "operatingSystemVersion": "10.0.22631.4317",
            "trustType": "AzureAd",
            "isCompliant": true,
            "isManaged": true,
            "physicalIds": ["[ZTDID]:abc"],
            "extensionAttributes": {
                "extensionAttribute1": null, "extensionAttribute2": null,
                "extensionAttribute3": "SAW", "extensionAttribute15": null
            }
        }]
    });
    // The page goes into the directory file as a second JSON text (one file, several
    // Graph exports).
    let path = dir.join("directory.json");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push('\n');
    text.push_str(&serde_json::to_string(&page).unwrap());
    std::fs::write(&path, text).unwrap();
    let r = careplay(&[
        "whatif",
        s(&dir),
        "--device-id",
        SEED_DEVICE,
        "--device-compliant",
        "true",
        "--policies",
        s(&{
            let p = tmp.path().join("saw.json");
            write_json(
                &p,
                &block_filter_policy(
                    "9e0d0000-0000-4000-8000-000000000002",
                    "Block SAW devices",
                    r#"device.extensionAttribute3 -eq "SAW""#,
                ),
            );
            p
        }),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Decision (policies On): Blocked"),
        "{}",
        r.stdout
    );
}

#[test]
fn broken_devices_stop_the_run_naming_the_json_path() {
    for (device, path, what) in [
        (
            json!({"model": "x"}),
            "$.devices[0].deviceId",
            "missing `deviceId`",
        ),
        (
            json!({"deviceId": "d1", "trustType": "Joined"}),
            "$.devices[0].trustType",
            "not one of",
        ),
        (
            json!({"deviceId": "d1", "extensionAttributes": {"extensionAttribute16": "x"}}),
            "$.devices[0].extensionAttributes.extensionAttribute16",
            "extensionAttribute15",
        ),
        (
            json!({"deviceId": "d1", "isCompliant": "yes"}),
            "$.devices[0].isCompliant",
            "invalid type",
        ),
    ] {
        let (_tmp, dir) = common::seed_copy();
        add_devices(&dir, json!([device]));
        let r = careplay(&["replay", s(&dir)]);
        assert_eq!(r.code, 2, "{path}: {}", r.stderr);
        assert!(r.stderr.contains("directory.json"), "{}", r.stderr);
        assert!(r.stderr.contains(path), "{path}: {}", r.stderr);
        assert!(r.stderr.contains(what), "{what}: {}", r.stderr);
    }
    // The same deviceId twice: which object a sign-in joins to would be a guess.
    let (_tmp, dir) = common::seed_copy();
    add_devices(&dir, json!([{"deviceId": "d1"}, {"deviceId": "D1"}]));
    let r = careplay(&["replay", s(&dir)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("$.devices[1].deviceId"), "{}", r.stderr);
}

/// `whatif` with one policy file and flags; returns stdout (exit 0 required).
fn whatif(tmp: &Path, dir: &Path, policy: &Value, flags: &[&str]) -> String {
    let p = tmp.join(format!("p-{}.json", policy["id"].as_str().unwrap_or("x")));
    write_json(&p, policy);
    let mut args = vec!["whatif", s(dir), "--policies", s(&p)];
    args.extend_from_slice(flags);
    let r = careplay(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn whatif_device_object_flags_feed_the_filter_without_a_snapshot_device() {
    let (tmp, dir) = common::seed_copy();
    let policy = block_filter_policy(
        "9e0d0000-0000-4000-8000-000000000003",
        "Block by model and attribute",
        r#"device.model -startsWith "Surface" -and device.manufacturer -eq "Microsoft Corporation" -and device.extensionAttribute7 -eq "kiosk""#,
    );
    let on = whatif(
        tmp.path(),
        &dir,
        &policy,
        &[
            "--device-model",
            "Surface Pro 9",
            "--device-manufacturer",
            "Microsoft Corporation",
            "--device-extension-attribute",
            "7=kiosk",
            "--device-managed",
            "true",
        ],
    );
    assert!(on.contains("Decision (policies On): Blocked"), "{on}");
    let off = whatif(
        tmp.path(),
        &dir,
        &policy,
        &[
            "--device-model",
            "Surface Pro 9",
            "--device-manufacturer",
            "Microsoft Corporation",
            "--device-extension-attribute",
            "7=desk",
            "--device-managed",
            "true",
        ],
    );
    assert!(off.contains("Decision (policies On): Allowed"), "{off}");
    // A bad attribute number is a usage error, not a silent drop.
    let p = tmp.path().join("bad.json");
    write_json(&p, &policy);
    let r = careplay(&[
        "whatif",
        s(&dir),
        "--policies",
        s(&p),
        "--device-extension-attribute",
        "16=x",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("1…15"), "{}", r.stderr);
}

#[test]
fn whatif_has_a_flag_for_every_fact_the_engine_reads() {
    // One flag per `EventFacts` field (src/model/facts.rs) and per device-object attribute
    // a filter rule can name (read from the directory snapshot).
    let r = careplay(&["whatif", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for flag in [
        "--kind",
        "--user",
        "--user-type",
        "--external-type",
        "--home-tenant",
        "--resource-tenant",
        "--service-principal",
        "--service-principal-in-tenant",
        "--client-id",
        "--app",
        "--audience",
        "--user-action",
        "--auth-context",
        "--ip",
        "--country",
        "--platform",
        "--client-app",
        "--device-registered",
        "--audiences-logged",
        "--time",
        "--agent-type",
        "--device-id",
        "--device-name",
        "--device-os",
        "--device-compliant",
        "--device-managed",
        "--device-trust",
        "--device-model",
        "--device-manufacturer",
        "--device-os-version",
        "--device-enrollment-profile",
        "--device-ownership",
        "--device-mdm-app-id",
        "--device-profile-type",
        "--device-physical-id",
        "--device-system-label",
        "--device-extension-attribute",
        "--sign-in-risk",
        "--user-risk",
        "--service-principal-risk",
        "--insider-risk",
        "--transfer-method",
        "--methods",
        "--mfa-claim",
        "--tou-accepted",
        "--cross-tenant-mfa-trust",
        "--token-protection",
        "--resource-ip",
    ] {
        assert!(
            r.stdout.contains(&format!("{flag} ")) || r.stdout.contains(&format!("{flag}\n")),
            "whatif has no {flag}"
        );
    }
}

#[test]
fn whatif_insider_risk_and_session_facts_decide() {
    let (tmp, dir) = common::seed_copy();
    let insider = json!({
        "id": "9e0d0000-0000-4000-8000-000000000004",
        "displayName": "Block elevated insider risk",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "insiderRiskLevels": "elevated"
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    let out = whatif(tmp.path(), &dir, &insider, &["--insider-risk", "elevated"]);
    assert!(out.contains("Decision (policies On): Blocked"), "{out}");
    let out = whatif(tmp.path(), &dir, &insider, &["--insider-risk", "minor"]);
    assert!(out.contains("Decision (policies On): Allowed"), "{out}");

    let token = json!({
        "id": "9e0d0000-0000-4000-8000-000000000005",
        "displayName": "Token protection for Exchange",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["00000002-0000-0ff1-ce00-000000000000"]},
            "clientAppTypes": ["mobileAppsAndDesktopClients"],
            "platforms": {"includePlatforms": ["windows"]}
        },
        "sessionControls": {"secureSignInSession": {"isEnabled": true}}
    });
    let base = [
        "--app",
        "00000002-0000-0ff1-ce00-000000000000",
        "--client-app",
        "mobileAppsAndDesktopClients",
        "--platform",
        "windows",
    ];
    let with = |extra: &[&str]| {
        let mut f = base.to_vec();
        f.extend_from_slice(extra);
        whatif(tmp.path(), &dir, &token, &f)
    };
    let unbound = with(&["--token-protection", "unbound"]);
    assert!(
        unbound.contains("Decision (policies On): Blocked") && unbound.contains("not device-bound"),
        "{unbound}"
    );
    assert!(with(&["--token-protection", "bound"]).contains("Decision (policies On): Allowed"));
    // Not recorded: Unknown, never Allowed.
    assert!(with(&[]).contains("Decision (policies On): Unknown"));

    let strict = json!({
        "id": "9e0d0000-0000-4000-8000-000000000006",
        "displayName": "Block outside trusted networks, strictly",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]},
        "sessionControls": {"continuousAccessEvaluation": {"mode": "strictLocation"}}
    });
    let locations: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("namedLocations.json")).unwrap())
            .unwrap();
    let trusted_ip = trusted_ip(&locations).expect("the seed has a trusted IP range");
    let same = whatif(
        tmp.path(),
        &dir,
        &strict,
        &["--ip", &trusted_ip, "--resource-ip", "same"],
    );
    assert!(same.contains("Decision (policies On): Allowed"), "{same}");
    let other = whatif(
        tmp.path(),
        &dir,
        &strict,
        &["--ip", &trusted_ip, "--resource-ip", "198.51.100.9"],
    );
    assert!(other.contains("Decision (policies On): Blocked"), "{other}");
    let unknown = whatif(tmp.path(), &dir, &strict, &["--ip", &trusted_ip]);
    assert!(
        unknown.contains("Decision (policies On): Unknown")
            && unknown.contains("ipAddressFromResourceProvider"),
        "{unknown}"
    );
}

/// The first address of the first trusted IPv4 range in a named-locations file.
fn trusted_ip(locations: &Value) -> Option<String> {
    let list = locations
        .get("value")
        .and_then(Value::as_array)
        .or_else(|| locations.as_array())?;
    list.iter()
        .filter(|l| l["isTrusted"] == json!(true))
        .flat_map(|l| l["ipRanges"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["cidrAddress"].as_str().map(str::to_string))
        .find_map(|c| {
            let net: ipnet::Ipv4Net = c.parse().ok()?;
            Some(net.hosts().next().unwrap_or(net.addr()).to_string())
        })
}

#[test]
fn replay_says_why_report_only_user_action_policies_have_no_logged_history() {
    let r = careplay(&["replay", "datasets/seed-registration"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let notes: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("report-only on a user action"))
        .collect();
    // Both report-only registration policies of the seed tenant.
    assert_eq!(notes.len(), 2, "{}", r.stdout);
    assert!(notes
        .iter()
        .all(|l| l.contains("learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only")));
    // And verify lists them as not verifiable instead of scoring them.
    let v = common::careplay_json(&["verify", "datasets/seed-registration", "--format", "json"]);
    let nv = v["not_verifiable"].to_string();
    assert!(nv.contains("never evaluates report-only"), "{nv}");
    let scored: Vec<String> = v["per_policy"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    assert!(
        !scored
            .iter()
            .any(|n| n.starts_with("Combined Security Info Registration")),
        "{scored:?}"
    );
}

#[test]
fn a_trusted_private_link_or_service_tag_location_makes_all_trusted_unknown() {
    for (kind, extra, why) in [
        (
            "#microsoft.graph.privateLinkNamedLocation",
            json!({"privateLinkResourcePolicyIds": ["pl-1"]}),
            "private link",
        ),
        (
            "#microsoft.graph.serviceTagNamedLocation",
            json!({"serviceTags": ["AzureCloud"]}),
            "service tags",
        ),
        (
            "#microsoft.graph.compliantNetworkNamedLocation",
            json!({"compliantNetworkType": "allTenantCompliantNetworks"}),
            "compliant network",
        ),
    ] {
        let (tmp, dir) = common::seed_copy();
        let path = dir.join("namedLocations.json");
        let mut locs: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut loc = json!({"@odata.type": kind, "id": "0a1b2c3d-0000-4000-8000-00000000ab01",
                             "displayName": "Trusted beta location", "isTrusted": true});
        for (k, v) in extra.as_object().unwrap() {
            loc[k] = v.clone();
        }
        locs["value"].as_array_mut().unwrap().push(loc);
        write_json(&path, &locs);
        let policy = json!({
            "id": "9e0d0000-0000-4000-8000-000000000007",
            "displayName": "Block outside trusted networks",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        });
        // Outside every trusted IP range: the request may have come through the trusted
        // beta location, which the log cannot show.
        let out = whatif(tmp.path(), &dir, &policy, &["--ip", "198.51.100.9"]);
        assert!(
            out.contains("Decision (policies On): Unknown") && out.contains(why),
            "{kind}: {out}"
        );
        // Inside a trusted IP range: trusted whatever the beta location says.
        let out = whatif(tmp.path(), &dir, &policy, &["--ip", "203.0.113.5"]);
        assert!(
            out.contains("Decision (policies On): Allowed"),
            "{kind}: {out}"
        );
    }
}

#[test]
fn lint_says_device_states_are_evaluated_as_the_engine_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    write_json(
        &dir.join("legacy.json"),
        &json!({
            "id": "9e0d0000-0000-4000-8000-000000000008",
            "displayName": "Block unmanaged devices (legacy device state)",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "deviceStates": {"includeStates": ["All"], "excludeStates": ["Compliant", "DomainJoined"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        }),
    );
    let r = careplay(&["policies", "check", s(&dir)]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("deprecated condition `deviceStates` is evaluated"),
        "{all}"
    );
    assert!(!all.contains("`deviceStates` is not evaluated"), "{all}");
    // And the engine does decide it: a compliant device is excluded.
    let (tmp2, seed) = common::seed_copy();
    let out = whatif(
        tmp2.path(),
        &seed,
        &serde_json::from_str(&std::fs::read_to_string(dir.join("legacy.json")).unwrap()).unwrap(),
        &["--device-id", "d1", "--device-compliant", "true"],
    );
    assert!(out.contains("Decision (policies On): Allowed"), "{out}");
}

/// The seed's first registration row, moved to the Device Registration Service (Windows
/// Hello for Business / Platform SSO credential registration) at `when`, as the only log.
fn drs_registration_log(dir: &Path, when: &str) {
    let src = dir.join("signins/graph-beta-interactive.ndjson");
    let line = std::fs::read_to_string(&src)
        .unwrap()
        .lines()
        .find(|l| l.contains("urn:user:registersecurityinfo"))
        .map(str::to_string)
        .unwrap();
    let mut row: Value = serde_json::from_str(&line).unwrap();
    for k in ["appId", "resourceId"] {
        row[k] = json!("01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9");
    }
    row["appDisplayName"] = json!("Device Registration Client");
    row["resourceDisplayName"] = json!("Device Registration Service");
    row["createdDateTime"] = json!(when);
    row["ipAddress"] = json!("198.51.100.9");
    std::fs::remove_dir_all(dir.join("signins")).unwrap();
    std::fs::create_dir_all(dir.join("signins")).unwrap();
    std::fs::write(
        dir.join("signins/drs.ndjson"),
        format!("{}\n", serde_json::to_string(&row).unwrap()),
    )
    .unwrap();
}

#[test]
fn security_info_registration_policies_cover_credential_registration_from_2026_07_06() {
    let block = json!({
        "id": "9e0d0000-0000-4000-8000-000000000009",
        "displayName": "Block security info registration outside trusted networks",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": [],
                             "includeUserActions": ["urn:user:registersecurityinfo"]},
            "clientAppTypes": ["all"],
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    for (when, blocked) in [("2026-07-05T12:00:00Z", 0), ("2026-07-06T12:00:00Z", 1)] {
        let (tmp, dir) = common::seed_copy();
        drs_registration_log(&dir, when);
        let p = tmp.path().join("block-registration.json");
        write_json(&p, &block);
        let v = replay_json(&dir, &["--add", s(&p)]);
        assert_eq!(
            v["totals"]["newly_blocked"]["events"], blocked,
            "{when}: {}",
            v["totals"]
        );
    }
}

/// Rows of an `--events-out` NDJSON file by request id.
fn events_by_id(path: &Path) -> std::collections::HashMap<String, Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["request_id"].as_str().unwrap().to_string(), v))
        .collect()
}

#[test]
fn token_protection_status_in_the_log_decides_a_replay() {
    let (tmp, dir) = common::seed_copy();
    // Which interactive sign-ins the seed's own policies allow: token protection alone then
    // decides their candidate outcome.
    let base_events = tmp.path().join("base.ndjson");
    let r = careplay(&[
        "--quiet",
        "replay",
        s(&dir),
        "--events-out",
        s(&base_events),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let base = events_by_id(&base_events);
    let log = dir.join("signins/graph-beta-interactive.ndjson");
    let mut lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let allowed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            base.get(v["id"].as_str().unwrap())
                .is_some_and(|e| e["baseline_outcome"] == "allowed")
        })
        .map(|(i, _)| i)
        .take(3)
        .collect();
    assert_eq!(
        allowed.len(),
        3,
        "the seed has allowed interactive sign-ins"
    );
    lines[allowed[0]]["tokenProtectionStatusDetails"] =
        json!({"signInSessionStatus": "unbound", "signInSessionStatusCode": 1003});
    lines[allowed[1]]["tokenProtectionStatusDetails"] =
        json!({"signInSessionStatus": "bound", "signInSessionStatusCode": 0});
    // allowed[2] keeps no tokenProtectionStatusDetails: the binding is not in the log.
    let text: String = lines.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(&log, text).unwrap();

    let policy = tmp.path().join("token-protection.json");
    write_json(
        &policy,
        &json!({
            "id": "7e57ca5e-0000-4000-8000-00000000070b",
            "displayName": "Token protection for sign-in sessions",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"]
            },
            "sessionControls": {"secureSignInSession": {"isEnabled": true}}
        }),
    );
    let events = tmp.path().join("cand.ndjson");
    let r = careplay(&[
        "--quiet",
        "replay",
        s(&dir),
        "--add",
        s(&policy),
        "--events-out",
        s(&events),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cand = events_by_id(&events);
    let outcome = |i: usize| cand[lines[i]["id"].as_str().unwrap()]["candidate_outcome"].clone();
    assert_eq!(
        outcome(allowed[0]),
        "blocked",
        "an unbound session is blocked"
    );
    assert_eq!(outcome(allowed[1]), "allowed", "a bound session passes");
    assert_eq!(
        outcome(allowed[2]),
        "unknown",
        "no binding in the log: Unknown"
    );
}

#[test]
fn whatif_agent_type_and_time_flags_reach_the_engine() {
    let (tmp, dir) = common::seed_copy();
    // All users does not cover an agent's user account (howto-target-agent-identities.md).
    let mut policy = block_filter_policy(
        "9e0d0000-0000-4000-8000-0000000000a1",
        "Block all users",
        "device.model -ne \"nothing\"",
    );
    policy["conditions"]
        .as_object_mut()
        .unwrap()
        .remove("devices");
    let user = [
        "--user",
        "ed@woodgrove.example",
        "--app",
        "00000003-0000-0000-c000-000000000000",
    ];
    let person = whatif(tmp.path(), &dir, &policy, &user);
    assert!(
        person.contains("Decision (policies On): Blocked"),
        "{person}"
    );
    let mut agent = user.to_vec();
    agent.extend(["--agent-type", "agentIDuser"]);
    let agent = whatif(tmp.path(), &dir, &policy, &agent);
    assert!(agent.contains("Decision (policies On): Allowed"), "{agent}");
    // A time that is not RFC 3339 is a usage error, not a silently unknown time.
    let p = tmp.path().join("t.json");
    write_json(&p, &policy);
    let r = careplay(&[
        "whatif",
        s(&dir),
        "--policies",
        s(&p),
        "--time",
        "yesterday",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("RFC 3339"), "{}", r.stderr);
}
