//! `careplay fetch` against a local server that answers like Microsoft Graph and the Log
//! Analytics query API (documented response shapes, tests/fixtures/graph), serving the
//! seed tenant: paging, throttling (429 + Retry-After), 503, a dropped connection, a 403,
//! a resumed run, client credentials and the Azure CLI, and the check that no token
//! reaches a file or an output.

mod common;

use chrono::{DateTime, Utc};
use common::graph_server::{self, ok, Reply, Request, Server};
use common::root;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A JWT-shaped token whose payload is `{"tid":"11111111-1111-4111-8111-111111111111"}`.
const TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiIxMTExMTExMS0xMTExLTQxMTEtODExMS0xMTExMTExMTExMTEifQ.c2VjcmV0LXNpZ25hdHVyZS1kby1ub3QtbGVhaw";
const SINCE: &str = "2026-09-01T00:00:00Z";
const UNTIL: &str = "2026-11-01T00:00:00Z";
/// Sign-ins per Graph page served (small, so every kind pages).
const PAGE: usize = 40;

fn fixture(name: &str) -> Value {
    let p = root().join("tests/fixtures/graph").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn seed() -> PathBuf {
    root().join("datasets/seed-registration")
}

/// The seed tenant as Graph would serve it.
struct Tenant {
    policies: Vec<Value>,
    locations: Value,
    /// signInEventTypes value -> records, newest first (as Graph lists them).
    signins: BTreeMap<String, Vec<Value>>,
    users: HashMap<String, Value>,
    groups: HashMap<String, Value>,
    member_of: HashMap<String, Vec<Value>>,
    sps: Vec<Value>,
}

fn created(r: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(r["createdDateTime"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

impl Tenant {
    fn seed() -> Tenant {
        let mut files: Vec<PathBuf> = std::fs::read_dir(seed().join("policies"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let policies = files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect();
        let locations: Value = serde_json::from_str(
            &std::fs::read_to_string(seed().join("namedLocations.json")).unwrap(),
        )
        .unwrap();
        let lines = |f: &str| -> Vec<Value> {
            std::fs::read_to_string(seed().join("signins").join(f))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let mut signins = BTreeMap::new();
        signins.insert(
            "interactiveUser".into(),
            lines("graph-beta-interactive.ndjson"),
        );
        signins.insert(
            "nonInteractiveUser".into(),
            lines("graph-beta-noninteractive.ndjson"),
        );
        // The diagnostic-settings records carry the Graph signIn object in `properties`.
        signins.insert(
            "servicePrincipal".into(),
            lines("serviceprincipal-signins-diag.json")
                .into_iter()
                .map(|r| r["properties"].clone())
                .collect(),
        );
        signins.insert("managedIdentity".into(), vec![]);
        for v in signins.values_mut() {
            v.sort_by_key(|r| std::cmp::Reverse(created(r)));
        }
        let raw: Value =
            serde_json::from_str(&std::fs::read_to_string(seed().join("directory.json")).unwrap())
                .unwrap();
        let dir = careplay::policy::load::load_directory(&seed().join("directory.json")).unwrap();
        let mut users = HashMap::new();
        let mut member_of = HashMap::new();
        let group_names: HashMap<String, Value> = raw["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["id"].as_str().unwrap().to_lowercase(), g.clone()))
            .collect();
        for u in raw["users"].as_array().unwrap() {
            let id = u["id"].as_str().unwrap().to_lowercase();
            // Graph's user object: the external user type is not a property; an invited
            // account has creationType Invitation and an externalUserState.
            let ext = u["externalUserType"].as_str().unwrap_or("");
            let mut g = json!({
                "id": u["id"], "userPrincipalName": u["userPrincipalName"],
                "displayName": u["displayName"], "userType": u["userType"],
                "creationType": null, "externalUserState": null,
                "identities": [{"signInType": "userPrincipalName", "issuer": "woodgrove.example",
                                "issuerAssignedId": u["userPrincipalName"]}]
            });
            if ext.starts_with("b2b") {
                g["creationType"] = json!("Invitation");
                g["externalUserState"] = json!("Accepted");
                g["identities"] = json!([{"signInType": "federated", "issuer": "ExternalAzureAD",
                                          "issuerAssignedId": null}]);
            }
            users.insert(id.clone(), g);
            let mut entries = vec![];
            if let Some(groups) = dir.transitive_groups(&id) {
                let mut groups: Vec<&String> = groups.iter().collect();
                groups.sort();
                for gid in groups {
                    entries.push(json!({
                        "@odata.type": "#microsoft.graph.group", "id": gid,
                        "displayName": group_names.get(gid.as_str()).map(|g| g["displayName"].clone()),
                        "securityEnabled": true
                    }));
                }
            }
            for r in dir
                .active_roles(&id)
                .map(|r| r.to_vec())
                .unwrap_or_default()
            {
                entries.push(json!({
                    "@odata.type": "#microsoft.graph.directoryRole",
                    "id": format!("role-instance-{r}"), "roleTemplateId": r,
                    "displayName": "a role"
                }));
            }
            member_of.insert(id, entries);
        }
        Tenant {
            policies,
            locations,
            signins,
            users,
            groups: group_names,
            member_of,
            sps: raw["servicePrincipals"].as_array().unwrap().clone(),
        }
    }
}

/// Faults to inject: route key -> replies served before the real answer.
type Faults = Arc<Mutex<HashMap<String, VecDeque<Reply>>>>;

fn graph_error(status: u16, file: &str, headers: Vec<(&'static str, String)>) -> Reply {
    Reply::Json(status, fixture(file), headers)
}

fn page(base: &str, path: &str, items: &[Value], next: Option<String>) -> Reply {
    let mut v = json!({"@odata.context": format!("{base}/$metadata#{path}"), "value": items});
    if let Some(n) = next {
        v["@odata.nextLink"] = json!(n);
    }
    ok(v)
}

/// One capture of a filter value: `createdDateTime ge (\S+)`.
fn after<'a>(filter: &'a str, key: &str) -> Option<&'a str> {
    let i = filter.find(key)? + key.len();
    filter[i..].split_whitespace().next()
}

fn route(t: &Tenant, r: &Request, base: &str) -> (String, Reply) {
    if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return (
            "unauthorized".into(),
            Reply::Json(
                401,
                json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}),
                vec![],
            ),
        );
    }
    let p = r.path.as_str();
    let skip: usize = match r.param("$skiptoken") {
        None => 0,
        Some(s) => match s.parse() {
            Ok(n) => n,
            // An expired or foreign skiptoken.
            Err(_) => {
                return (
                    "bad-skiptoken".into(),
                    Reply::Json(
                        400,
                        json!({"error": {"code": "BadRequest", "message": "Invalid $skiptoken."}}),
                        vec![],
                    ),
                )
            }
        },
    };
    match p {
        "/beta/identity/conditionalAccess/policies" => {
            let (items, next) = if skip == 0 {
                (&t.policies[..3], Some(format!("{base}{p}?$skiptoken=3")))
            } else {
                (&t.policies[skip..], None)
            };
            (
                format!("policies:{skip}"),
                page(base, "identity/conditionalAccess/policies", items, next),
            )
        }
        "/beta/identity/conditionalAccess/namedLocations" => (
            "locations".into(),
            page(
                base,
                "namedLocations",
                t.locations["value"].as_array().unwrap(),
                None,
            ),
        ),
        "/v1.0/policies/authenticationStrengthPolicies" => (
            "strengths".into(),
            ok(fixture("authenticationStrengthPolicies.json")),
        ),
        "/v1.0/policies/crossTenantAccessPolicy/default" => (
            "cta-default".into(),
            ok(fixture("crossTenantAccessPolicy-default.json")),
        ),
        "/v1.0/policies/crossTenantAccessPolicy/partners" => (
            "cta-partners".into(),
            ok(fixture("crossTenantAccessPolicy-partners.json")),
        ),
        "/beta/auditLogs/signIns" => {
            let filter = r.param("$filter").unwrap_or_default();
            let kind = after(&filter, "t eq ")
                .unwrap_or("")
                .trim_matches(|c| c == '\'' || c == ')');
            let parse = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
            let ge = after(&filter, "createdDateTime ge ").map(parse);
            let lt = after(&filter, "createdDateTime lt ").map(parse);
            let le = after(&filter, "createdDateTime le ").map(parse);
            let all: Vec<Value> = t
                .signins
                .get(kind)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|x| {
                    ge.is_none_or(|g| created(x) >= g)
                        && lt.is_none_or(|l| created(x) < l)
                        && le.is_none_or(|l| created(x) <= l)
                })
                .collect();
            let end = (skip + PAGE).min(all.len());
            let next = (end < all.len()).then(|| {
                format!(
                    "{base}{p}?$filter={}&$skiptoken={end}",
                    careplay::fetch::http::encode(&filter)
                )
            });
            (
                format!("signins:{kind}:{skip}"),
                page(
                    base,
                    "auditLogs/signIns",
                    &all[skip.min(all.len())..end],
                    next,
                ),
            )
        }
        "/v1.0/servicePrincipals" => ("sps".into(), page(base, "servicePrincipals", &t.sps, None)),
        "/v1.0/devices" => ("devices".into(), page(base, "devices", &[], None)),
        _ => {
            let parts: Vec<&str> = p.trim_start_matches('/').split('/').collect();
            match parts.as_slice() {
                ["v1.0", "users", id] => match t.users.get(&id.to_lowercase()) {
                    Some(u) => (format!("user:{id}"), ok(u.clone())),
                    None => (
                        format!("user:{id}"),
                        Reply::Json(
                            404,
                            json!({"error": {"code": "Request_ResourceNotFound", "message": "Resource does not exist."}}),
                            vec![],
                        ),
                    ),
                },
                ["v1.0", "users", id, "transitiveMemberOf"] => (
                    format!("memberOf:{id}"),
                    page(
                        base,
                        "directoryObjects",
                        t.member_of
                            .get(&id.to_lowercase())
                            .map(|v| v.as_slice())
                            .unwrap_or(&[]),
                        None,
                    ),
                ),
                ["v1.0", "groups", id] => match t.groups.get(&id.to_lowercase()) {
                    Some(g) => (
                        format!("group:{id}"),
                        ok(json!({"id": g["id"], "displayName": g["displayName"]})),
                    ),
                    None => (
                        format!("group:{id}"),
                        Reply::Json(
                            404,
                            json!({"error": {"code": "Request_ResourceNotFound", "message": "Resource does not exist."}}),
                            vec![],
                        ),
                    ),
                },
                _ => (
                    "unknown".into(),
                    Reply::Json(
                        400,
                        json!({"error": {"code": "BadRequest", "message": format!("no route {p}")}}),
                        vec![],
                    ),
                ),
            }
        }
    }
}

fn start(faults: Faults) -> Server {
    let t = Tenant::seed();
    graph_server::start(move |r, base| {
        let (key, reply) = route(&t, r, base);
        if let Some(f) = faults
            .lock()
            .unwrap()
            .get_mut(&key)
            .and_then(|q| q.pop_front())
        {
            return f;
        }
        reply
    })
}

fn faults(list: Vec<(&str, Reply)>) -> Faults {
    let mut m: HashMap<String, VecDeque<Reply>> = HashMap::new();
    for (k, r) in list {
        m.entry(k.to_string()).or_default().push_back(r);
    }
    Arc::new(Mutex::new(m))
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run the binary with a clean token environment plus `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = Command::new(env!("CARGO_BIN_EXE_careplay"));
    c.args(args).current_dir(root()).env("NO_COLOR", "1");
    for v in [
        "CAREPLAY_GRAPH_TOKEN",
        "CAREPLAY_LOG_ANALYTICS_TOKEN",
        "CAREPLAY_CLIENT_SECRET",
    ] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn fetch_args<'a>(server: &'a Server, dir: &'a str) -> Vec<&'a str> {
    vec![
        "fetch",
        dir,
        "--graph-url",
        &server.url,
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--max-retry-wait",
        "0.01",
        "--no-az",
    ]
}

/// Every byte of every file under `dir`, gunzipped where gzip.
fn all_text(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_text(&p));
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                &mut s,
            )
            .unwrap();
            s
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        out.push((p, text));
    }
    out
}

fn assert_no_token(dir: &Path, outputs: &[&str]) {
    // The signature part alone must not appear either.
    let sig = TOKEN.rsplit('.').next().unwrap();
    for (p, text) in all_text(dir) {
        assert!(!text.contains(sig), "the token is in {}", p.display());
    }
    for o in outputs {
        assert!(!o.contains(sig), "the token is in an output:\n{o}");
    }
}

/// The replay report as JSON, without what names the folder (tenant name, input paths).
fn report(dir: &Path) -> Value {
    let r = run(
        &[
            "replay",
            dir.to_str().unwrap(),
            "--promote",
            "all-report-only",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut v: Value = serde_json::from_str(&r.stdout).unwrap();
    let m = v.as_object_mut().unwrap();
    m.remove("tenant");
    m.remove("input");
    v
}

/// The tenant the server serves, as a folder: the seed plus the served strengths and
/// cross-tenant settings.
fn served_folder(tmp: &Path) -> PathBuf {
    let dir = tmp.join("served");
    common::copy_dir(&seed(), &dir);
    std::fs::remove_dir_all(dir.join("expected")).unwrap();
    std::fs::write(
        dir.join("authenticationStrengths.json"),
        fixture("authenticationStrengthPolicies.json").to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("crossTenantAccess.json"),
        json!({"default": fixture("crossTenantAccessPolicy-default.json"),
               "partners": fixture("crossTenantAccessPolicy-partners.json")["value"]})
        .to_string(),
    )
    .unwrap();
    dir
}

#[test]
fn fetched_folder_replays_like_the_served_tenant() {
    let server = start(faults(vec![
        // Throttled on the first request, then a transient 503 and a dropped connection.
        (
            "policies:0",
            graph_error(429, "error-429.json", vec![("Retry-After", "3".into())]),
        ),
        (
            "signins:nonInteractiveUser:40",
            graph_error(503, "error-503.json", vec![]),
        ),
        ("sps", Reply::Drop),
    ]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("fetched");
    let token_file = tmp.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let d = dir.to_str().unwrap();
    let mut args = fetch_args(&server, d);
    args.extend(["--token-file", token_file.to_str().unwrap()]);
    let r = run(&args, &[]);
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("conditional access policies: HTTP 429, retry 1")
            && r.stderr.contains("(Retry-After 3s)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("sign-in logs: HTTP 503, retry 1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("service principals: ") && r.stderr.contains("retry 1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("5 policies") && r.stdout.contains("380 sign-ins"),
        "{}",
        r.stdout
    );

    // Every kind was asked for with the window and its signInEventTypes filter.
    let reqs = server.requests();
    for kind in [
        "interactiveUser",
        "nonInteractiveUser",
        "servicePrincipal",
        "managedIdentity",
    ] {
        assert!(
            reqs.iter().any(|q| q.path == "/beta/auditLogs/signIns"
                && q.param("$filter").is_some_and(|f| f
                    .contains(&format!("signInEventTypes/any(t: t eq '{kind}')"))
                    && f.contains(&format!("createdDateTime ge {SINCE}"))
                    && f.contains(&format!("createdDateTime lt {UNTIL}")))),
            "no request for {kind}"
        );
    }
    // Pages were followed: 167 interactive sign-ins in pages of 40.
    let pages = std::fs::read_dir(dir.join("signins/graph-interactive"))
        .unwrap()
        .count();
    assert_eq!(pages, 5);
    assert!(dir.join("policies").read_dir().unwrap().count() == 5);
    assert!(dir.join("fetch-state.json").exists());

    // The directory: the users of the logs with their guest types and groups.
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("directory.json")).unwrap())
            .unwrap();
    assert_eq!(d["tenantId"], "11111111-1111-4111-8111-111111111111");
    let gina = d["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["userPrincipalName"]
                .as_str()
                .is_some_and(|n| n.starts_with("gina_"))
        })
        .unwrap();
    assert_eq!(gina["externalUserType"], "b2bCollaborationGuest");
    assert_eq!(gina["homeTenantId"], "22222222-2222-4222-8222-222222222222");

    assert_no_token(&dir, &[&r.stdout, &r.stderr]);

    // The fetched folder replays to the same report as the folder it was served from.
    let served = served_folder(tmp.path());
    let (a, b) = (report(&served), report(&dir));
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a, b);
    assert_eq!(b["totals"]["newly_blocked"]["events"], 4);
    assert_eq!(b["totals"]["newly_challenged"]["events"], 5);
    // And verify reads it as is.
    let v = run(&["verify", dir.to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "{}", v.stderr);
}

#[test]
fn a_403_names_the_missing_permission() {
    let server = start(faults(vec![(
        "signins:interactiveUser:0",
        graph_error(403, "error-403.json", vec![]),
    )]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let mut args = fetch_args(&server, dir.to_str().unwrap());
    args.extend(["--kinds", "interactive"]);
    let r = run(&args, &[("CAREPLAY_GRAPH_TOKEN", TOKEN)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("sign-in logs: permission denied (HTTP 403, Authorization_RequestDenied: Insufficient privileges to complete the operation.): this needs AuditLog.Read.All"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("https://learn.microsoft.com/graph/api/signin-list"),
        "{}",
        r.stderr
    );
    assert_no_token(&dir, &[&r.stdout, &r.stderr]);
    // The configuration parts written before the failure stay.
    assert!(dir.join("namedLocations.json").exists());
}

#[test]
fn a_refused_token_and_no_token_exit_2() {
    let server = start(faults(vec![]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let args = fetch_args(&server, dir.to_str().unwrap());
    let r = run(&args, &[("CAREPLAY_GRAPH_TOKEN", "eyJ.not-the-token.x")]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the token was refused (HTTP 401, InvalidAuthenticationToken"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("not-the-token"), "{}", r.stderr);
    let r = run(&args, &[("PATH", "/nonexistent")]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no token for") && r.stderr.contains("--token-file"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failed_run_resumes_from_the_saved_page() {
    // Page 3 of the interactive sign-ins fails for good (one attempt per request).
    let server = start(faults(vec![(
        "signins:interactiveUser:80",
        graph_error(500, "error-503.json", vec![]),
    )]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let d = dir.to_str().unwrap();
    let mut args = fetch_args(&server, d);
    args.extend(["--max-attempts", "1"]);
    let env = [("CAREPLAY_GRAPH_TOKEN", TOKEN)];
    let r = run(&args, &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 500"), "{}", r.stderr);
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fetch-state.json")).unwrap())
            .unwrap();
    let s = &state["streams"]["graph-interactive"];
    assert_eq!(s["pages"], 2);
    assert_eq!(s["records"], 80);
    assert!(s["next"].as_str().unwrap().contains("$skiptoken=80"));
    let before = server.requests().len();

    // The same command again continues at page 3: the first two pages are not asked again.
    let r = run(&args, &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("sign-ins (interactive): resuming after page 2 (80 records)"),
        "{}",
        r.stderr
    );
    let again: Vec<Request> = server.requests()[before..].to_vec();
    let interactive: Vec<&Request> = again
        .iter()
        .filter(|q| {
            q.path == "/beta/auditLogs/signIns"
                && q.param("$filter").is_some_and(|f| {
                    f.contains("interactiveUser") && !f.contains("nonInteractiveUser")
                })
        })
        .collect();
    assert!(
        interactive
            .iter()
            .all(|q| q.param("$skiptoken").is_some_and(|s| s != "0")),
        "{interactive:?}"
    );
    assert_eq!(
        std::fs::read_dir(dir.join("signins/graph-interactive"))
            .unwrap()
            .count(),
        5
    );
    assert!(r.stdout.contains("380 sign-ins"), "{}", r.stdout);
    let b = report(&dir);
    assert_eq!(b["totals"]["all"]["events"], 380);
    assert_eq!(b["totals"]["newly_blocked"]["events"], 4);

    // A third run finds every stream complete; another window is refused without --restart.
    let r = run(&args, &env);
    assert!(
        r.stderr.contains("complete in an earlier run"),
        "{}",
        r.stderr
    );
    let mut other = fetch_args(&server, d);
    other[5] = "2026-09-02T00:00:00Z";
    let r = run(&other, &env);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("holds sign-ins of another fetch") && r.stderr.contains("--restart"),
        "{}",
        r.stderr
    );
    other.push("--restart");
    let r = run(&other, &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_expired_next_link_restarts_below_the_oldest_record() {
    let server = start(faults(vec![(
        "signins:interactiveUser:80",
        graph_error(500, "error-503.json", vec![]),
    )]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let d = dir.to_str().unwrap();
    let mut args = fetch_args(&server, d);
    args.extend(["--max-attempts", "1", "--kinds", "interactive"]);
    let env = [("CAREPLAY_GRAPH_TOKEN", TOKEN)];
    assert_eq!(run(&args, &env).code, 2);
    // The saved link now fails as an expired skiptoken does.
    let state_path = dir.join("fetch-state.json");
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    let next = state["streams"]["graph-interactive"]["next"]
        .as_str()
        .unwrap()
        .replace("$skiptoken=80", "$skiptoken=expired");
    state["streams"]["graph-interactive"]["next"] = json!(next);
    std::fs::write(&state_path, state.to_string()).unwrap();
    let r = run(&args, &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the saved nextLink was refused (HTTP 400)"),
        "{}",
        r.stderr
    );
    let last = server
        .requests()
        .into_iter()
        .filter(|q| q.path == "/beta/auditLogs/signIns")
        .map(|q| q.param("$filter").unwrap_or_default())
        .find(|f| f.contains("createdDateTime le "));
    assert!(last.is_some());
    // Every interactive sign-in is there (the boundary one twice; the loader keeps one).
    let r = run(
        &["logs", "inspect", dir.join("signins").to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("167"), "{}", r.stdout);
}

#[test]
fn client_credentials_get_a_token_from_the_login_endpoint() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen2 = seen.clone();
    let login = graph_server::start(move |r, _| {
        seen2.lock().unwrap().push(format!("{} {}", r.path, r.body));
        ok(
            json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": TOKEN}),
        )
    });
    let server = start(faults(vec![]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let mut args = fetch_args(&server, dir.to_str().unwrap());
    args.extend([
        "--client-id",
        "app-1",
        "--tenant-id",
        "11111111-1111-4111-8111-111111111111",
        "--login-url",
        &login.url,
        "--no-signins",
    ]);
    let r = run(&args, &[("CAREPLAY_CLIENT_SECRET", "s3cret-value-xyz")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = seen.lock().unwrap();
    assert!(
        seen[0].starts_with("/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token "),
        "{seen:?}"
    );
    assert!(
        seen[0].contains("grant_type=client_credentials") && seen[0].contains("client_id=app-1"),
        "{seen:?}"
    );
    assert!(
        seen[0].contains(&format!(
            "scope={}",
            graph_server::decode(&careplay::fetch::http::encode(&format!(
                "{}/.default",
                server.url
            )))
        )) || seen[0].contains("%2F.default"),
        "{seen:?}"
    );
    for (p, text) in all_text(&dir) {
        assert!(
            !text.contains("s3cret-value-xyz"),
            "secret in {}",
            p.display()
        );
    }
    assert!(!r.stdout.contains("s3cret") && !r.stderr.contains("s3cret"));
    assert_no_token(&dir, &[&r.stdout, &r.stderr]);
    // Without a secret: named, exit 2.
    let r = run(&args, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("CAREPLAY_CLIENT_SECRET"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn the_azure_cli_is_asked_for_a_graph_token() {
    use std::os::unix::fs::PermissionsExt;
    let server = start(faults(vec![]));
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    let argv = tmp.path().join("az-args");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\necho '{TOKEN}'\n",
            argv.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tmp.path().join("t");
    let args: Vec<&str> = fetch_args(&server, dir.to_str().unwrap())
        .into_iter()
        .filter(|a| *a != "--no-az")
        .chain(["--no-signins"])
        .collect();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let r = run(&args, &[("PATH", &path)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let called = std::fs::read_to_string(&argv).unwrap();
    assert_eq!(
        called.trim(),
        format!(
            "account get-access-token --resource {} --query accessToken --output tsv",
            server.url
        )
    );
    assert_no_token(&dir, &[&r.stdout, &r.stderr]);
}

#[test]
fn log_analytics_rows_are_written_in_the_shape_the_loader_reads() {
    let graph = start(faults(vec![]));
    let answer = fixture("la-query-signinlogs.json");
    let calls = Arc::new(Mutex::new(0usize));
    let calls2 = calls.clone();
    let la = graph_server::start(move |r, _| {
        if r.header("authorization") != Some("Bearer la-token-abc.def.ghi") {
            return Reply::Json(
                403,
                json!({"error": {"code": "InsufficientAccessError", "message": "The provided credentials have insufficient access to perform the requested operation"}}),
                vec![],
            );
        }
        let body: Value = serde_json::from_str(&r.body).unwrap();
        let q = body["query"].as_str().unwrap().to_string();
        *calls2.lock().unwrap() += 1;
        let table = q.split_whitespace().next().unwrap().to_string();
        if table != "SigninLogs" {
            return ok(
                json!({"tables": [{"name": "PrimaryResult", "columns": answer["tables"][0]["columns"], "rows": []}]}),
            );
        }
        let parse = |key: &str| {
            let i = q.find(key).unwrap() + key.len();
            let s = &q[i..i + 20];
            DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
        };
        let (a, b) = (
            parse("TimeGenerated >= datetime("),
            parse("TimeGenerated < datetime("),
        );
        // A window longer than two hours is "too large": a partial result with an error.
        if b - a > chrono::Duration::hours(2) {
            return ok(
                json!({"tables": answer["tables"], "error": {"code": "PartialError", "message": "There were some errors when processing your query.", "details": [{"code": "EngineError", "message": "Query result set has exceeded the internal data size limit"}]}}),
            );
        }
        let rows: Vec<Value> = answer["tables"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| {
                let t = DateTime::parse_from_rfc3339(row[1].as_str().unwrap())
                    .unwrap()
                    .with_timezone(&Utc);
                t >= a && t < b
            })
            .cloned()
            .collect();
        ok(
            json!({"tables": [{"name": "PrimaryResult", "columns": answer["tables"][0]["columns"], "rows": rows}]}),
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let d = dir.to_str().unwrap();
    let args = vec![
        "fetch",
        d,
        "--graph-url",
        &graph.url,
        "--log-analytics-url",
        &la.url,
        "--from-log-analytics",
        "ws-1",
        "--since",
        "2026-10-01T00:00:00Z",
        "--until",
        "2026-10-01T12:00:00Z",
        "--max-retry-wait",
        "0.01",
        "--no-az",
    ];
    let r = run(
        &args,
        &[
            ("CAREPLAY_GRAPH_TOKEN", TOKEN),
            ("CAREPLAY_LOG_ANALYTICS_TOKEN", "la-token-abc.def.ghi"),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("exceeds the query API's limits; halving"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("12 sign-ins (log-analytics:ws-1"),
        "{}",
        r.stdout
    );
    let i = run(
        &["logs", "inspect", dir.join("signins").to_str().unwrap()],
        &[],
    );
    assert_eq!(i.code, 0, "{}", i.stderr);
    assert!(i.stdout.contains("la-json"), "{}", i.stdout);
    // The rows replay against the fetched policies.
    let rep = report(&dir);
    assert_eq!(rep["totals"]["all"]["events"], 12);
    assert!(*calls.lock().unwrap() > 4);
    assert_no_token(&dir, &[&r.stdout, &r.stderr]);
    assert!(!all_text(&dir)
        .iter()
        .any(|(_, t)| t.contains("la-token-abc")));
    // Without read access to the workspace: the role is named.
    let dir2 = tmp.path().join("t2");
    let mut args2 = args.clone();
    args2[1] = dir2.to_str().unwrap();
    let r = run(
        &args2,
        &[
            ("CAREPLAY_GRAPH_TOKEN", TOKEN),
            ("CAREPLAY_LOG_ANALYTICS_TOKEN", "wrong.token.x"),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("Log Analytics Reader"), "{}", r.stderr);
}

#[test]
fn an_age_window_resumes_the_saved_window() {
    let server = start(faults(vec![(
        "signins:interactiveUser:40",
        graph_error(500, "error-503.json", vec![]),
    )]));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let d = dir.to_str().unwrap();
    let args = [
        "fetch",
        d,
        "--graph-url",
        &server.url,
        "--since",
        "400d",
        "--kinds",
        "interactive",
        "--max-attempts",
        "1",
        "--max-retry-wait",
        "0",
        "--no-az",
    ];
    let env = [("CAREPLAY_GRAPH_TOKEN", TOKEN)];
    assert_eq!(run(&args, &env).code, 2);
    let saved = std::fs::read_to_string(dir.join("fetch-state.json")).unwrap();
    let saved: Value = serde_json::from_str(&saved).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // A second later `400d` is another instant: the unfinished fetch keeps its window.
    let r = run(&args, &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("resuming after page 1"), "{}", r.stderr);
    let now: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fetch-state.json")).unwrap())
            .unwrap();
    assert_eq!(saved["since"], now["since"]);
    assert_eq!(saved["until"], now["until"]);
    assert_eq!(now["streams"]["graph-interactive"]["records"], 167);
}
