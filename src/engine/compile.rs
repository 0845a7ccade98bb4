//! `compile`: Graph policies + tenant data → an owned, thread-safe [`CompiledSet`].
//! Never fails: every problem becomes a [`CompileIssue`] and the affected condition or
//! control evaluates to Unknown.

use super::conditions::locations::LocationTable;
use super::conditions::ConditionSet;
use super::grant::{CControl, Demand};
use super::ids::is;
use super::result::PolicyState;
use super::strength::CompiledStrength;
use super::TenantInputs;
use crate::policy::{
    builtin_strengths, AuthenticationStrength, BaselineScopeTarget, CrossTenantAccess, Directory,
    GrantControls, Policy, SessionControls,
};
use std::fmt;
use std::sync::Arc;

/// A problem found while compiling policy `policy_index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileIssue {
    pub policy_index: usize,
    pub message: String,
}

impl fmt::Display for CompileIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy #{}: {}", self.policy_index, self.message)
    }
}

/// Compilation context for one policy.
pub(crate) struct CompileCx<'a> {
    pub index: usize,
    pub name: String,
    pub issues: &'a mut Vec<CompileIssue>,
    pub locations: &'a LocationTable,
    /// The directory snapshot, to tell a group the snapshot does not know from one the
    /// user is not in.
    pub directory: Option<&'a crate::policy::Directory>,
    strengths: &'a [(Arc<CompiledStrength>, Vec<String>)],
    /// The tenant's baseline scope settings (`conditions::baseline_scopes`).
    pub baseline_scopes: &'a BaselineScopeTarget,
}

impl CompileCx<'_> {
    pub fn issue(&mut self, message: impl Into<String>) {
        let message = format!("`{}`: {}", self.name, message.into());
        if !self
            .issues
            .iter()
            .any(|i| i.policy_index == self.index && i.message == message)
        {
            self.issues.push(CompileIssue {
                policy_index: self.index,
                message,
            });
        }
    }

    #[cfg(test)]
    pub fn for_test(issues: &mut Vec<CompileIssue>) -> CompileCx<'_> {
        static EMPTY: std::sync::OnceLock<LocationTable> = std::sync::OnceLock::new();
        CompileCx {
            index: 0,
            name: "test".into(),
            issues,
            locations: EMPTY.get_or_init(LocationTable::default),
            directory: None,
            strengths: &[],
            baseline_scopes: &BaselineScopeTarget::NotConfigured,
        }
    }
}

/// One compiled policy.
#[derive(Debug)]
pub struct CompiledPolicy {
    id: String,
    name: String,
    state: PolicyState,
    pub(crate) conditions: ConditionSet,
    pub(crate) demand: Demand,
    /// `demand.describe()`, written once (every explanation of an applying policy shows it).
    demand_text: String,
    /// Shared with every result of the policy (`PolicyResult::session`).
    session: Arc<[String]>,
    /// The session controls that change the outcome (evaluation in `engine::session`).
    pub(crate) session_rules: SessionRules,
}

/// Session controls that decide, not only get recorded (issue 24 item 5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SessionRules {
    /// Sign-in frequency `everyTime`: an earlier MFA does not count.
    pub every_time: bool,
    /// `secureSignInSession` (token protection): unbound sessions are blocked.
    pub token_protection: bool,
    /// CAE `strictLocation`: the IP the resource sees must pass the location condition too.
    pub cae_strict_location: bool,
}

fn session_rules(s: Option<&SessionControls>) -> SessionRules {
    let Some(s) = s else {
        return SessionRules::default();
    };
    fn text<'v>(v: &'v serde_json::Value, k: &str) -> Option<&'v str> {
        v.get(k).and_then(|x| x.as_str()).map(str::trim)
    }
    SessionRules {
        every_time: enabled(&s.sign_in_frequency)
            .and_then(|v| text(v, "frequencyInterval"))
            .is_some_and(|f| is(f, "everyTime")),
        token_protection: enabled(&s.secure_sign_in_session).is_some(),
        cae_strict_location: enabled(&s.continuous_access_evaluation)
            .and_then(|v| text(v, "mode"))
            .is_some_and(|m| is(m, "strictLocation")),
    }
}

impl CompiledPolicy {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn state(&self) -> PolicyState {
        self.state
    }
    /// Session controls the policy carries (recorded for reports, evaluation.md §5).
    pub fn session_controls(&self) -> &Arc<[String]> {
        &self.session
    }
    /// Human description of the grant demand ("mfa OR compliantDevice", "block").
    pub fn demand_description(&self) -> &str {
        &self.demand_text
    }
}

/// A compiled policy set: owns everything it needs, `Send + Sync`.
#[derive(Debug)]
pub struct CompiledSet {
    pub(crate) policies: Vec<CompiledPolicy>,
    issues: Vec<CompileIssue>,
    pub(crate) directory: Option<Arc<Directory>>,
    pub(crate) cross_tenant: Option<Arc<CrossTenantAccess>>,
}

impl CompiledSet {
    pub fn policies(&self) -> &[CompiledPolicy] {
        &self.policies
    }
    pub fn issues(&self) -> &[CompileIssue] {
        &self.issues
    }
    /// The same set with every report-only policy switched On ("what changes if enabled",
    /// evaluation.md §6.3).
    pub fn with_report_only_enabled(mut self) -> CompiledSet {
        for p in &mut self.policies {
            if p.state == PolicyState::ReportOnly {
                p.state = PolicyState::Enabled;
            }
        }
        self
    }
}

fn parse_state(s: Option<&str>, cx: &mut CompileCx) -> PolicyState {
    match s {
        Some(v) if is(v, "enabled") => PolicyState::Enabled,
        Some(v) if is(v, "disabled") => PolicyState::Disabled,
        Some(v) if is(v, "enabledForReportingButNotEnforced") => PolicyState::ReportOnly,
        other => {
            // Never enforce a policy whose state is unreadable; still evaluate it.
            cx.issue(format!(
                "unknown policy state {other:?}: evaluated as report-only (never changes the decision)"
            ));
            PolicyState::ReportOnly
        }
    }
}

fn resolve_strength(embedded: &AuthenticationStrength, cx: &mut CompileCx) -> CControl {
    let id = embedded.id.clone().unwrap_or_default();
    let tenant = cx
        .strengths
        .iter()
        .find(|(s, _)| s.id.eq_ignore_ascii_case(id.trim()))
        .cloned();
    // policy-model.md §11: prefer the embedded allowedCombinations when present.
    if !embedded.allowed_combinations.is_empty() {
        let (s, problems) = CompiledStrength::from_graph(embedded, "policy-embedded");
        for p in problems {
            cx.issue(p);
        }
        if let Some((t, _)) = &tenant {
            let mut a: Vec<u32> = s.combos.iter().map(|c| c.modes).collect();
            let mut b: Vec<u32> = t.combos.iter().map(|c| c.modes).collect();
            a.sort_unstable();
            b.sort_unstable();
            if a != b {
                cx.issue(format!(
                    "authentication strength `{}`: embedded combinations differ from the {} definition; the embedded one is used",
                    s.name, t.source
                ));
            }
        }
        return CControl::Strength(Arc::new(s));
    }
    match tenant {
        Some((s, problems)) => {
            for p in problems {
                cx.issue(p);
            }
            CControl::Strength(s)
        }
        None => {
            cx.issue(format!(
                "authentication strength `{id}` not found in tenant data or built-ins (V12): evaluated as Unknown"
            ));
            CControl::MissingStrength(id)
        }
    }
}

fn compile_demand(g: Option<&GrantControls>, cx: &mut CompileCx) -> Demand {
    let Some(g) = g else {
        return Demand::SessionOnly;
    };
    let mut controls = vec![];
    let mut block = false;
    for c in &g.built_in_controls {
        let c = c.trim();
        let cc = match c.to_ascii_lowercase().as_str() {
            "block" => {
                block = true;
                continue;
            }
            "mfa" => CControl::Mfa,
            "compliantdevice" => CControl::CompliantDevice,
            "domainjoineddevice" => CControl::DomainJoinedDevice,
            "approvedapplication" => CControl::ApprovedApplication,
            "compliantapplication" => CControl::CompliantApplication,
            "passwordchange" => CControl::PasswordChange,
            "riskremediation" => CControl::RiskRemediation,
            _ => {
                cx.issue(format!(
                    "grant control `{c}` cannot be evaluated (V13): Unknown"
                ));
                CControl::Unrecognised(c.to_string())
            }
        };
        controls.push(cc);
    }
    for t in &g.terms_of_use {
        controls.push(CControl::TermsOfUse(t.trim().to_string()));
    }
    for c in &g.custom_authentication_factors {
        controls.push(CControl::Custom(c.trim().to_string()));
    }
    if let Some(s) = &g.authentication_strength {
        if s.id.is_some() || !s.allowed_combinations.is_empty() {
            controls.push(resolve_strength(s, cx));
        }
    }
    let has_mfa = controls.iter().any(|c| matches!(c, CControl::Mfa));
    let has_strength = controls
        .iter()
        .any(|c| matches!(c, CControl::Strength(_) | CControl::MissingStrength(_)));
    if has_mfa && has_strength {
        cx.issue("V3 error: mfa and authenticationStrength in one policy; both are evaluated");
    }
    if block {
        if !controls.is_empty() {
            cx.issue("V2 error: block combined with other controls; block wins");
        }
        return Demand::Block;
    }
    if controls.is_empty() {
        return Demand::SessionOnly;
    }
    let all = match g.operator.as_deref() {
        Some(o) if is(o, "OR") => false,
        Some(o) if is(o, "AND") => true,
        None if controls.len() == 1 => true,
        other => {
            // The portal default is "require all" (AND): the stricter reading.
            cx.issue(format!(
                "grant operator {other:?} unreadable: evaluated as AND"
            ));
            true
        }
    };
    Demand::Grant { all, controls }
}

fn enabled(v: &Option<serde_json::Value>) -> Option<&serde_json::Value> {
    let v = v.as_ref()?;
    if v.is_null() || v.get("isEnabled").and_then(|b| b.as_bool()) == Some(false) {
        return None;
    }
    Some(v)
}

fn session_summary(s: Option<&SessionControls>) -> Vec<String> {
    let Some(s) = s else { return vec![] };
    let mut out = vec![];
    let field =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    if let Some(v) = enabled(&s.sign_in_frequency) {
        let every = field(v, "frequencyInterval").is_some_and(|f| is(&f, "everyTime"));
        out.push(if every {
            "signInFrequency: every time".into()
        } else {
            format!(
                "signInFrequency: {} {}",
                v.get("value")
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "?".into()),
                field(v, "type").unwrap_or_default()
            )
        });
    }
    if let Some(v) = enabled(&s.persistent_browser) {
        out.push(format!(
            "persistentBrowser: {}",
            field(v, "mode").unwrap_or_default()
        ));
    }
    if enabled(&s.application_enforced_restrictions).is_some() {
        out.push("applicationEnforcedRestrictions".into());
    }
    if let Some(v) = enabled(&s.cloud_app_security) {
        out.push(format!(
            "cloudAppSecurity: {}",
            field(v, "cloudAppSecurityType").unwrap_or_default()
        ));
    }
    if let Some(v) = enabled(&s.continuous_access_evaluation) {
        out.push(format!(
            "continuousAccessEvaluation: {}",
            field(v, "mode").unwrap_or_default()
        ));
    }
    if s.disable_resilience_defaults == Some(true) {
        out.push("disableResilienceDefaults".into());
    }
    if enabled(&s.secure_sign_in_session).is_some() {
        out.push("secureSignInSession (token protection)".into());
    }
    if let Some(v) = enabled(&s.global_secure_access_filtering_profile) {
        out.push(format!(
            "globalSecureAccessFilteringProfile: {}",
            field(v, "profileId").unwrap_or_else(|| "?".into())
        ));
    }
    out
}

/// Compile a policy set against tenant data. Built-in strengths are always available;
/// tenant strengths with the same id win.
pub fn compile(policies: &[Policy], tenant: &TenantInputs) -> CompiledSet {
    let locations = LocationTable::build(
        tenant.locations,
        tenant.mfa_trusted_ips,
        tenant.no_locations_snapshot,
        tenant.mfa_trusted_ips_unknown,
    );
    let mut strengths: Vec<(Arc<CompiledStrength>, Vec<String>)> = tenant
        .strengths
        .iter()
        .filter(|s| s.id.is_some())
        .map(|s| {
            let (c, p) = CompiledStrength::from_graph(s, "tenant export");
            (Arc::new(c), p)
        })
        .collect();
    for b in builtin_strengths() {
        let id = b.id.clone().unwrap_or_default();
        if !strengths
            .iter()
            .any(|(s, _)| s.id.eq_ignore_ascii_case(&id))
        {
            let (c, p) = CompiledStrength::from_graph(&b, "built-in");
            strengths.push((Arc::new(c), p));
        }
    }
    let mut issues = vec![];
    let mut compiled = Vec::with_capacity(policies.len());
    for (index, p) in policies.iter().enumerate() {
        let id = p.id.clone().unwrap_or_default();
        let name = p.display_name.clone().unwrap_or_else(|| id.clone());
        let mut cx = CompileCx {
            index,
            name: name.clone(),
            issues: &mut issues,
            locations: &locations,
            directory: tenant.directory,
            strengths: &strengths,
            baseline_scopes: tenant
                .baseline_scopes
                .unwrap_or(&BaselineScopeTarget::NotConfigured),
        };
        let state = parse_state(p.state.as_deref(), &mut cx);
        let conditions = ConditionSet::compile(p.conditions.as_ref(), &mut cx);
        let demand = compile_demand(p.grant_controls.as_ref(), &mut cx);
        compiled.push(CompiledPolicy {
            id,
            name,
            state,
            conditions,
            demand_text: demand.describe(),
            demand,
            session: session_summary(p.session_controls.as_ref()).into(),
            session_rules: session_rules(p.session_controls.as_ref()),
        });
    }
    CompiledSet {
        policies: compiled,
        issues,
        directory: tenant.directory.map(|d| Arc::new(d.clone())),
        cross_tenant: tenant.cross_tenant.map(|c| Arc::new(c.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn compiled_set_is_send_sync_static() {
        assert_send_sync::<CompiledSet>();
    }
}
