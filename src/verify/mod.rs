//! `careplay verify`: compare careplay's per-policy results with the results Entra itself
//! logged in `appliedConditionalAccessPolicies` (evaluation.md §6.3, signin-logs.md §9).
//!
//! For every (event, policy) pair with a logged result, careplay predicts the value Entra
//! would log under the policy's logged state and compares. Pairs careplay cannot decide
//! (Unknown) are counted apart with their reason; disagreements are grouped into classes
//! with a likely cause and an example request id.

pub mod classify;
pub mod history;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::engine::{Applicability, CompiledSet, PolicyState};
use crate::policy::Policy;
use crate::signin::facts::to_facts;
use crate::signin::SignInRecord;

pub use classify::DisagreementClass;
pub use history::PolicyHistory;

/// State a logged result value implies (evaluation.md §6.2).
pub fn state_of_logged(result: &str) -> Option<PolicyState> {
    let r = result.trim();
    if r.len() >= 10 && r[..10].eq_ignore_ascii_case("reportOnly") {
        Some(PolicyState::ReportOnly)
    } else if r.eq_ignore_ascii_case("notEnabled") {
        Some(PolicyState::Disabled)
    } else if ["success", "failure", "notApplied"]
        .iter()
        .any(|v| v.eq_ignore_ascii_case(r))
    {
        Some(PolicyState::Enabled)
    } else {
        None // unknown, unknownFutureValue, empty: nothing to compare
    }
}

/// Policies whose verdicts Entra does not log (user actions in report-only, §6.1).
pub fn not_verifiable_reason(p: &Policy) -> Option<String> {
    let actions = p
        .conditions
        .as_ref()
        .and_then(|c| c.applications.as_ref())
        .map(|a| !a.include_user_actions.is_empty())
        .unwrap_or(false);
    let report_only = p
        .state
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("enabledForReportingButNotEnforced"));
    (actions && report_only).then(|| {
        "targets a user action in report-only mode: Entra never evaluates report-only policies \
         on user actions (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only), so logs never carry its \
         verdict"
            .to_string()
    })
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PolicyAgreement {
    pub id: String,
    pub name: String,
    pub pairs: u64,
    pub agree: u64,
    pub disagree: u64,
    pub undecided: u64,
    /// (predicted, logged) -> count
    pub matrix: Vec<(String, String, u64)>,
}

impl PolicyAgreement {
    pub fn agreement_pct(&self) -> f64 {
        pct(self.agree, self.agree + self.disagree)
    }
}

fn pct(a: u64, n: u64) -> f64 {
    if n == 0 {
        100.0
    } else {
        (a as f64) * 100.0 / (n as f64)
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct VerifyReport {
    pub tenant: String,
    /// Policy inputs skipped by `--keep-going`: the agreement leaves them out, and
    /// `--fail-below` then fails. Absent from the JSON when nothing was skipped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_inputs: Vec<String>,
    pub events: u64,
    pub events_with_logged_results: u64,
    pub pairs: u64,
    pub agree: u64,
    pub disagree: u64,
    pub undecided: u64,
    /// Agreement among decided pairs, percent.
    pub agreement_pct: f64,
    /// Share of pairs careplay could not decide, percent.
    pub undecided_pct: f64,
    pub matrix: Vec<(String, String, u64)>,
    pub per_policy: Vec<PolicyAgreement>,
    pub undecided_reasons: Vec<(String, u64)>,
    pub classes: Vec<DisagreementClass>,
    pub not_verifiable: Vec<(String, String)>,
    /// Logged policy ids not present in the snapshot.
    pub unknown_policy_ids: Vec<(String, u64)>,
    pub notes: Vec<String>,
}

/// The compiled policy sets to compare against: one per history version.
pub struct VerifySets<'a> {
    pub history: &'a PolicyHistory,
    pub sets: &'a [CompiledSet],
    /// Directory facts the logs lack (user risk), and explicit assumptions.
    pub directory: Option<&'a crate::policy::Directory>,
    pub assume: &'a crate::replay::Assumptions,
}

/// Counts of one policy while verifying.
#[derive(Debug, Default, Clone)]
struct PolicyTally {
    name: String,
    /// (predicted, logged) -> pairs
    matrix: BTreeMap<(String, String), u64>,
    agree: u64,
    disagree: u64,
    undecided: u64,
}

/// Accumulates comparisons; mergeable for rayon.
#[derive(Debug, Default, Clone)]
pub struct Verifier {
    events: u64,
    events_logged: u64,
    matrix: BTreeMap<(String, String), u64>,
    per_policy: BTreeMap<String, PolicyTally>,
    undecided_reasons: BTreeMap<String, u64>,
    classes: BTreeMap<String, (String, u64, String, String)>,
    unknown_ids: BTreeMap<String, u64>,
    skipped_not_verifiable: BTreeMap<String, u64>,
}

impl Verifier {
    pub fn merge(&mut self, o: Verifier) {
        self.events += o.events;
        self.events_logged += o.events_logged;
        for (k, v) in o.matrix {
            *self.matrix.entry(k).or_default() += v;
        }
        for (id, t) in o.per_policy {
            let e = self.per_policy.entry(id).or_insert_with(|| PolicyTally {
                name: t.name.clone(),
                ..PolicyTally::default()
            });
            for (k, v) in t.matrix {
                *e.matrix.entry(k).or_default() += v;
            }
            e.agree += t.agree;
            e.disagree += t.disagree;
            e.undecided += t.undecided;
        }
        for (k, v) in o.undecided_reasons {
            *self.undecided_reasons.entry(k).or_default() += v;
        }
        for (k, (cause, n, ex_req, ex_pol)) in o.classes {
            let e = self
                .classes
                .entry(k)
                .or_insert_with(|| (cause, 0, ex_req.clone(), ex_pol.clone()));
            e.1 += n;
            if ex_req < e.2 {
                e.2 = ex_req;
                e.3 = ex_pol;
            }
        }
        for (k, v) in o.unknown_ids {
            *self.unknown_ids.entry(k).or_default() += v;
        }
        for (k, v) in o.skipped_not_verifiable {
            *self.skipped_not_verifiable.entry(k).or_default() += v;
        }
    }

    /// Compare one event.
    pub fn push(&mut self, rec: &SignInRecord, sets: &VerifySets<'_>) {
        self.events += 1;
        let Some(logged_policies) = rec.ca_policies.as_ref().filter(|v| !v.is_empty()) else {
            return;
        };
        let (version, set) = match sets.history.version_at(rec.created_at) {
            Some(v) => match sets.sets.get(v) {
                Some(s) => (v, s),
                None => return,
            },
            None => return,
        };
        let policies = sets.history.policies(version);
        let facts = crate::replay::enrich(to_facts(rec), sets.directory, sets.assume);
        let result = set.evaluate(&facts);
        let interactive = facts
            .kind
            .map(|k| k == crate::model::EventKind::Interactive);
        let mut any = false;
        for logged in logged_policies {
            let Some(raw) = logged.result.as_deref() else {
                continue;
            };
            let Some(logged_state) = state_of_logged(raw) else {
                continue;
            };
            any = true;
            let logged_value = normalise_result(raw);
            let Some(idx) = set
                .policies()
                .iter()
                .position(|p| p.id().eq_ignore_ascii_case(&logged.id))
            else {
                *self.unknown_ids.entry(logged.id.clone()).or_default() += 1;
                self.class(
                    "policy not in snapshot",
                    "the policy was deleted or created after the snapshot; supply the policy \
                     history (--history)",
                    rec,
                    &logged
                        .display_name
                        .clone()
                        .unwrap_or_else(|| logged.id.clone()),
                );
                continue;
            };
            let cp = &set.policies()[idx];
            if let Some(p) = policies.get(idx) {
                if not_verifiable_reason(p).is_some() {
                    *self
                        .skipped_not_verifiable
                        .entry(cp.name().to_string())
                        .or_default() += 1;
                    continue;
                }
            }
            let Some(pr) = result.policies.iter().find(|r| r.index == idx) else {
                continue;
            };
            let snapshot_state = policies
                .get(idx)
                .map(policy_state)
                .unwrap_or(PolicyState::Enabled);
            let pol = self
                .per_policy
                .entry(cp.id().to_string())
                .or_insert_with(|| PolicyTally {
                    name: cp.name().to_string(),
                    ..PolicyTally::default()
                });
            // The set is compiled with every policy On, so each policy's verdict is its own;
            // the logged state decides how that verdict is written (evaluation.md §6.3).
            let predicted: Option<String> = if logged_state == PolicyState::Disabled {
                Some(if snapshot_state == PolicyState::Disabled {
                    "notEnabled".to_string()
                } else {
                    format!("state {}", state_name(snapshot_state))
                })
            } else {
                pr.logged_result(logged_state, interactive)
                    .map(str::to_string)
            };
            match predicted {
                None => {
                    pol.undecided += 1;
                    let reason = undecided_reason(&pr.applicability, &pr.grant);
                    *self.undecided_reasons.entry(reason).or_default() += 1;
                    *self
                        .matrix
                        .entry(("undecided".to_string(), logged_value.clone()))
                        .or_default() += 1;
                    *pol.matrix
                        .entry(("undecided".to_string(), logged_value.clone()))
                        .or_default() += 1;
                }
                Some(pred) => {
                    *self
                        .matrix
                        .entry((pred.clone(), logged_value.clone()))
                        .or_default() += 1;
                    *pol.matrix
                        .entry((pred.clone(), logged_value.clone()))
                        .or_default() += 1;
                    if pred.eq_ignore_ascii_case(&logged_value) {
                        pol.agree += 1;
                    } else {
                        pol.disagree += 1;
                        let name = cp.name().to_string();
                        if snapshot_state != logged_state {
                            self.class(
                                "policy state changed during the log window",
                                "the snapshot's state of the policy differs from the state Entra \
                                 logged; supply the policy history for the log window (--history)",
                                rec,
                                &name,
                            );
                        } else {
                            let (class, cause) = classify::classify(
                                &pred,
                                &logged_value,
                                pr,
                                &facts,
                                sets.history,
                                rec,
                            );
                            self.class(&class, &cause, rec, &name);
                        }
                    }
                }
            }
        }
        if any {
            self.events_logged += 1;
        }
    }

    fn class(&mut self, class: &str, cause: &str, rec: &SignInRecord, policy: &str) {
        let e = self.classes.entry(class.to_string()).or_insert_with(|| {
            (
                cause.to_string(),
                0,
                rec.event_id.clone(),
                policy.to_string(),
            )
        });
        e.1 += 1;
        if rec.event_id < e.2 {
            e.2 = rec.event_id.clone();
            e.3 = policy.to_string();
        }
    }

    pub fn finish(self, tenant: &str, history: &PolicyHistory, notes: Vec<String>) -> VerifyReport {
        let mut r = VerifyReport {
            tenant: tenant.to_string(),
            events: self.events,
            events_with_logged_results: self.events_logged,
            notes,
            ..VerifyReport::default()
        };
        for ((p, l), n) in &self.matrix {
            r.matrix.push((p.clone(), l.clone(), *n));
            r.pairs += n;
        }
        let mut seen_not_verifiable = BTreeSet::new();
        for (id, t) in self.per_policy {
            r.agree += t.agree;
            r.disagree += t.disagree;
            r.undecided += t.undecided;
            r.per_policy.push(PolicyAgreement {
                id,
                name: t.name,
                pairs: t.agree + t.disagree + t.undecided,
                agree: t.agree,
                disagree: t.disagree,
                undecided: t.undecided,
                matrix: t.matrix.into_iter().map(|((p, l), n)| (p, l, n)).collect(),
            });
        }
        r.per_policy
            .sort_by(|a, b| b.pairs.cmp(&a.pairs).then(a.name.cmp(&b.name)));
        r.agreement_pct = pct(r.agree, r.agree + r.disagree);
        r.undecided_pct = if r.pairs == 0 {
            0.0
        } else {
            r.undecided as f64 * 100.0 / r.pairs as f64
        };
        r.undecided_reasons = sorted(self.undecided_reasons);
        r.classes = self
            .classes
            .into_iter()
            .map(|(class, (cause, count, ex, pol))| DisagreementClass {
                class,
                likely_cause: cause,
                count,
                example_request_id: ex,
                example_policy: pol,
            })
            .collect();
        r.classes
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.class.cmp(&b.class)));
        for p in history.all_policies() {
            if let Some(reason) = not_verifiable_reason(p) {
                let name = crate::replay::scenario::name_of(p);
                if seen_not_verifiable.insert(name.clone()) {
                    r.not_verifiable.push((name, reason));
                }
            }
        }
        r.unknown_policy_ids = sorted(self.unknown_ids);
        r
    }
}

/// State written in the policy file (unreadable states count as report-only, as in the
/// engine: never enforced).
pub fn policy_state(p: &Policy) -> PolicyState {
    match p.state.as_deref().map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("enabled") => PolicyState::Enabled,
        Some(s) if s.eq_ignore_ascii_case("disabled") => PolicyState::Disabled,
        _ => PolicyState::ReportOnly,
    }
}

fn sorted(m: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn state_name(s: PolicyState) -> &'static str {
    match s {
        PolicyState::Enabled => "enabled",
        PolicyState::ReportOnly => "report-only",
        PolicyState::Disabled => "disabled",
    }
}

/// Logged values in their documented camelCase spelling.
pub fn normalise_result(r: &str) -> String {
    const ALL: [&str; 9] = [
        "success",
        "failure",
        "notApplied",
        "notEnabled",
        "reportOnlySuccess",
        "reportOnlyFailure",
        "reportOnlyNotApplied",
        "reportOnlyInterrupted",
        "unknown",
    ];
    ALL.iter()
        .find(|v| v.eq_ignore_ascii_case(r.trim()))
        .map(|v| v.to_string())
        .unwrap_or_else(|| r.trim().to_string())
}

fn undecided_reason(a: &Applicability, g: &Option<crate::engine::GrantResult>) -> String {
    match a {
        Applicability::Unknown { conditions } => conditions
            .first()
            .map(|(c, r)| format!("{c}: {r}"))
            .unwrap_or_else(|| "applicability unknown".to_string()),
        _ => match g {
            Some(crate::engine::GrantResult::Unknown { reason }) => format!("grant: {reason}"),
            _ => "outcome depends on what the user did after the prompt".to_string(),
        },
    }
}

/// What `careplay verify` needs.
#[derive(Debug, Clone)]
pub struct VerifyPlan {
    pub tenant_dir: Option<std::path::PathBuf>,
    pub overrides: crate::replay::Overrides,
    /// Folder of dated policy snapshots (`YYYY-MM-DD[THH:MM:SSZ]/` subfolders).
    pub history: Option<std::path::PathBuf>,
    pub progress: bool,
    pub assume: crate::replay::Assumptions,
}

/// Errors of a verify run.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Replay(#[from] crate::replay::ReplayError),
    #[error("{0}")]
    Policy(#[from] crate::policy::PolicyError),
    #[error("{0}")]
    SignIn(#[from] crate::signin::LoadError),
    #[error("{path}: cannot read the policy history folder: {source}")]
    History {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: no dated subfolders (expected names like 2026-10-01 or 2026-10-01T12:00:00Z)")]
    EmptyHistory(String),
}

/// Every policy switched On, so each policy's own verdict is computed whatever its state.
fn all_on(policies: &[Policy]) -> Vec<Policy> {
    policies
        .iter()
        .cloned()
        .map(|mut p| {
            p.state = Some("enabled".to_string());
            p
        })
        .collect()
}

/// Run a verification end to end.
pub fn run_verify(plan: &VerifyPlan) -> Result<VerifyReport, VerifyError> {
    use rayon::prelude::*;

    use crate::replay::{Tenant, TenantPaths};

    let paths = TenantPaths::resolve(plan.tenant_dir.as_deref(), &plan.overrides);
    let name = plan
        .tenant_dir
        .as_ref()
        .and_then(|d| d.file_name())
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "tenant".to_string());
    let tenant = Tenant::load_with(&name, &paths, plan.overrides.options())?;
    if paths.logs.is_empty() {
        return Err(crate::replay::ReplayError::NoLogs.into());
    }
    let mut notes = tenant.notes.clone();
    let mut skipped = tenant.skipped_lines();
    let history = match &plan.history {
        None => PolicyHistory::single(tenant.policies.clone(), tenant.directory.as_ref()),
        Some(dir) => {
            let folders = history::history_folders(dir).map_err(|source| VerifyError::History {
                path: dir.display().to_string(),
                source,
            })?;
            if folders.is_empty() {
                return Err(VerifyError::EmptyHistory(dir.display().to_string()));
            }
            let mut versions = Vec::new();
            for (date, path) in folders {
                let load = crate::policy::load_policies(std::slice::from_ref(&path))?;
                // A dated snapshot is a policy input like the tenant's own: a broken file
                // stops the run unless --keep-going skips it.
                if !load.rejected.is_empty() && !plan.overrides.keep_going {
                    return Err(
                        crate::replay::ReplayError::Config(crate::replay::ConfigErrors {
                            problems: load
                                .rejected
                                .into_iter()
                                .map(|rejection| crate::replay::ConfigProblem {
                                    input: crate::replay::ConfigInput::Policies,
                                    rejection,
                                })
                                .collect(),
                            keep_going: false,
                        })
                        .into(),
                    );
                }
                skipped.extend(load.rejected.iter().map(ToString::to_string));
                notes.push(format!(
                    "policy version in force from {}: {} ({} policies)",
                    date.to_rfc3339(),
                    path.display(),
                    load.policies.len()
                ));
                versions.push((date, load.policies.into_iter().map(|p| p.policy).collect()));
            }
            PolicyHistory::dated(versions, tenant.directory.as_ref())
        }
    };
    let sets: Vec<CompiledSet> = (0..history.len())
        .map(|v| tenant.compile(&all_on(history.policies(v))))
        .collect();
    // Verify compares with the logged results: every field is read.
    let opts = crate::signin::LoadOptions {
        format: None,
        progress: plan.progress,
        projection: crate::signin::Projection::ALL,
        ..crate::signin::LoadOptions::default()
    };
    let loaded = crate::signin::load(&paths.logs, &opts)?;
    crate::replay::require_events(&loaded.ledger)?;
    let vs = VerifySets {
        history: &history,
        sets: &sets,
        directory: tenant.directory.as_ref(),
        assume: &plan.assume,
    };
    notes.extend(plan.assume.describe());
    let verifier = loaded
        .records
        .par_chunks(2048)
        .map(|chunk| {
            let mut v = Verifier::default();
            for r in chunk {
                v.push(r, &vs);
            }
            v
        })
        .reduce(Verifier::default, |mut a, b| {
            a.merge(b);
            a
        });
    // A policy file newer than the logs: say so (the logs reflect older versions).
    let last_log = loaded.records.iter().filter_map(|r| r.created_at).max();
    if plan.history.is_none() {
        if let Some(last) = last_log {
            for p in &tenant.policies {
                let modified = p
                    .modified_date_time
                    .as_deref()
                    .and_then(|m| chrono::DateTime::parse_from_rfc3339(m).ok())
                    .map(|d| d.with_timezone(&chrono::Utc));
                if let Some(m) = modified.filter(|m| *m > last) {
                    notes.push(format!(
                        "policy '{}' was modified {} after the last logged sign-in ({}): logged \
                         results reflect an older version; give --history for the log window",
                        crate::replay::scenario::name_of(p),
                        m.to_rfc3339(),
                        last.to_rfc3339()
                    ));
                }
            }
        }
    }
    let input = loaded.ledger.to_input_summary();
    notes.push(format!(
        "input: {} rows read, {} loaded, {} rejected, {} duplicates dropped",
        input.rows_read, input.rows_loaded, input.rows_rejected, input.duplicates_dropped
    ));
    // Loaded rows with an unreadable field, and inputs never opened (signin/unreadable.rs,
    // walk.rs): said here as the replay report says them.
    for (field, n) in &input.unreadable_by_reason {
        notes.push(format!(
            "input: {field}: {n} loaded row(s), that fact Unknown"
        ));
    }
    notes.extend(input.inputs_skipped.iter().map(|m| format!("input: {m}")));
    let mut report = verifier.finish(&tenant.name, &history, notes);
    report.skipped_inputs = skipped;
    Ok(report)
}
