//! Agent identities through the real binary (issue 24 item 6), on a copy of the seed
//! tenant (real-shaped Graph beta exports) with two extra non-interactive sign-ins that
//! carry the beta `agent` field (docs/agent-id/sign-in-audit-logs-agents.md): one by an
//! agent's user account (`agentIDuser`), one `notAgentic`. The seed's own rows predate the
//! field. Policies: the public corpus' CA603 (all agent users, agent risk medium/high,
//! block), and an ordinary "All users" block.

mod common;

use common::{careplay, root};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const AGENT_USER: &str = "agent-user@woodgrove.example";
const PERSON: &str = "not-an-agent@woodgrove.example";

/// (guard, tenant folder): the seed plus `signins/agents.ndjson`.
fn seed_with_agent_rows() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = common::seed_copy();
    let first = std::fs::read_to_string(dir.join("signins/graph-beta-noninteractive.ndjson"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let base: Value = serde_json::from_str(&first).unwrap();
    let mut out = String::new();
    for (i, (upn, agent)) in [
        (
            AGENT_USER,
            json!({"agentType": "agentIDuser", "agentSubjectType": "agentIDuser",
                   "agentSubjectParentId": "5b1c0000-0000-4000-8000-0000000000a1"}),
        ),
        (
            PERSON,
            json!({"agentType": "notAgentic", "agentSubjectType": "notAgentic"}),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = base.clone();
        r["id"] = json!(format!("0000a9e0-0000-4000-8000-00000000000{i}"));
        r["userId"] = json!(format!("aaaaaaaa-0000-4000-8000-00000000a00{i}"));
        r["userPrincipalName"] = json!(upn);
        r["agent"] = agent;
        out.push_str(&r.to_string());
        out.push('\n');
    }
    std::fs::write(dir.join("signins/agents.ndjson"), out).unwrap();
    (tmp, dir)
}

/// A corpus policy file switched on, written next to the tenant.
fn enabled_copy(tmp: &Path, rel: &str) -> PathBuf {
    let src = root().join("../shared/datasets/real/policies").join(rel);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
    v["state"] = json!("enabled");
    let p = tmp.join("added.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

/// Replay with `policy` added; (report, events by UPN, every event).
fn replay(dir: &Path, policy: &Path) -> (Value, Vec<Value>) {
    let events = dir.parent().unwrap().join("events.ndjson");
    let r = careplay(&[
        "replay",
        dir.to_str().unwrap(),
        "--add",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
        "--events-out",
        events.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (report, rows)
}

fn event<'a>(rows: &'a [Value], upn: &str) -> &'a Value {
    rows.iter()
        .find(|e| e["user_principal_name"] == upn)
        .unwrap_or_else(|| panic!("{upn} not replayed"))
}

fn outcomes(rows: &[Value], kind: &str) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for e in rows.iter().filter(|e| e["event_type"] == kind) {
        *m.entry(e["candidate_outcome"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

#[test]
fn agent_user_policy_is_unknown_only_where_the_agent_fact_is_missing() {
    let (tmp, dir) = seed_with_agent_rows();
    let policy = enabled_copy(
        tmp.path(),
        "Cloudshield-io-Conditional-Access-Framework/CA603-CSB-Agents-IdentityProtection-AllAgentUsers-AllResources-RiskyAgents-BLOCK-v1.0.json",
    );
    let (_report, rows) = replay(&dir, &policy);
    // The agent's user account is in scope; agent risk is not in logs → Unknown.
    let a = event(&rows, AGENT_USER);
    assert_eq!(a["candidate_outcome"], "unknown", "{a}");
    assert!(
        a["explanation"].as_str().unwrap().contains("agent risk"),
        "{a}"
    );
    // Logged notAgentic: out of scope.
    assert_eq!(event(&rows, PERSON)["candidate_outcome"], "allowed");
    // Interactive sign-ins are never agents' user accounts: none becomes Unknown.
    let interactive = outcomes(&rows, "interactiveUser");
    assert!(!interactive.contains_key("unknown"), "{interactive:?}");
    // Non-interactive rows without the agent field may be agent users: Unknown, not "not
    // applied" (the seed's rows predate the field).
    let seed_rows = rows
        .iter()
        .filter(|e| e["event_type"] == "nonInteractiveUser")
        .filter(|e| e["user_principal_name"] != AGENT_USER && e["user_principal_name"] != PERSON);
    for e in seed_rows {
        assert_eq!(e["candidate_outcome"], "unknown", "{e}");
    }
}

#[test]
fn all_users_does_not_cover_an_agent_user_and_stays_decided_without_the_field() {
    let (tmp, dir) = seed_with_agent_rows();
    let p = tmp.path().join("all-users-block.json");
    std::fs::write(
        &p,
        json!({
            "id": "9b1f0c2e-0000-4000-8000-0000000000e2",
            "displayName": "Block SharePoint for all users",
            "state": "enabled",
            "conditions": {
                "clientAppTypes": ["all"],
                "applications": {"includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
                "users": {"includeUsers": ["All"]}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        })
        .to_string(),
    )
    .unwrap();
    let (_report, rows) = replay(&dir, &p);
    let a = event(&rows, AGENT_USER);
    assert_ne!(a["candidate_outcome"], "blocked", "{a}");
    assert_eq!(event(&rows, PERSON)["candidate_outcome"], "blocked");
    // Rows without the field are taken as people for an ordinary policy: decided.
    let non_interactive = outcomes(&rows, "nonInteractiveUser");
    assert!(
        !non_interactive.contains_key("unknown"),
        "{non_interactive:?}"
    );
    assert!(non_interactive["blocked"] > 1, "{non_interactive:?}");
}

/// `policies lint` says what the engine does for agent policies: a report-only agent policy
/// targets someone (no L4), and agent risk / agent execution environment are reported as
/// Unknown, not "not evaluated".
#[test]
fn lint_texts_agree_with_the_engine_for_agent_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = vec![];
    for name in [
        "CA601-CSB-Agents-AttackSurfaceReduction-AllAgentIdentities-AllAgentResources-BLOCK-v1.0",
        "CA602-CSB-Agents-BaseProtection-AllAgentUsers-RequireCompliantDevice-v1.0",
        "CA603-CSB-Agents-IdentityProtection-AllAgentUsers-AllResources-RiskyAgents-BLOCK-v1.0",
    ] {
        let src = root()
            .join("../shared/datasets/real/policies/Cloudshield-io-Conditional-Access-Framework")
            .join(format!("{name}.json"));
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
        v["state"] = json!("enabledForReportingButNotEnforced");
        let p = tmp.path().join(format!("{}.json", &name[..5]));
        std::fs::write(&p, v.to_string()).unwrap();
        files.push(p);
    }
    let mut args = vec!["policies", "lint"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let r = careplay(&args);
    assert!(!r.stdout.contains("L4"), "{}", r.stdout);
    assert!(!r.stdout.contains("not evaluated"), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "$.conditions.agentIdRiskLevels: warning V13 [not-evaluated-fields] \"CA603-CSB-Agents-IdentityProtection-AllAgentUsers-AllResources-RiskyAgents-BLOCK-v1.0\": agent risk is not in sign-in logs: the condition evaluates as Unknown"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("3 policies linted, 0 rejected"),
        "{}",
        r.stdout
    );
}
