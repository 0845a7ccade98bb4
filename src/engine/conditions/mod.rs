//! One Conditional Access condition per file (evaluation.md §3). Each condition compiles
//! from the Graph model into a small matcher (`None` = not configured = matches every
//! event) and evaluates to a three-valued [`Check`].

pub mod agent_context;
pub mod agent_resources;
pub mod agent_risk;
pub mod applications;
pub mod auth_context;
pub mod auth_flows;
pub mod baseline_scopes;
pub mod client_apps;
pub mod device_states;
pub mod devices;
pub mod insider_risk;
pub mod locations;
pub mod platforms;
mod risk;
pub mod sign_in_risk;
pub mod sp_risk;
pub mod user_actions;
pub mod user_risk;
pub mod users;
pub mod workload;

use super::compile::CompileCx;
use super::context::Ctx;
use super::result::{Applicability, ConditionName};
use crate::model::{Reason, Tri};
use crate::policy::Conditions;

/// Outcome of one condition for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Yes,
    /// Definitely not satisfied, with a short reason for explanations.
    No(Reason),
    Unknown(Reason),
}

impl Check {
    /// From a Kleene result; `no` explains a `No`.
    pub fn from_tri(t: Tri, no: impl FnOnce() -> Reason) -> Check {
        match t {
            Tri::Yes => Check::Yes,
            Tri::No => Check::No(no()),
            Tri::Unknown(r) => Check::Unknown(r),
        }
    }
}

/// `included AND NOT excluded` (evaluation.md §0 step 5: exclude beats include), with
/// reasons naming which side decided.
/// `include_exclude!(include, exclude, "user")`: the condition's check from its include
/// and exclude sides, with fixed "<what> excluded" / "<what> not included" reasons.
macro_rules! include_exclude {
    ($include:expr, $exclude:expr, $what:literal $(,)?) => {
        $crate::engine::conditions::include_exclude_with(
            $include,
            $exclude,
            concat!($what, " excluded"),
            concat!($what, " not included"),
        )
    };
}
pub(crate) use include_exclude;

pub(crate) fn include_exclude_with(
    include: Tri,
    exclude: Tri,
    excluded: &'static str,
    not_included: &'static str,
) -> Check {
    match (include, exclude) {
        (_, Tri::Yes) => Check::No(excluded.into()),
        (Tri::No, _) => Check::No(not_included.into()),
        (Tri::Yes, Tri::No) => Check::Yes,
        (Tri::Unknown(r), _) | (_, Tri::Unknown(r)) => Check::Unknown(r),
    }
}

/// All configured conditions of one policy.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ConditionSet {
    users: Option<users::UsersCond>,
    workload: Option<workload::WorkloadCond>,
    application: Option<applications::ApplicationCond>,
    agent_resources: Option<agent_resources::AgentResourcesCond>,
    user_actions: Option<user_actions::UserActionsCond>,
    auth_context: Option<auth_context::AuthContextCond>,
    platform: Option<platforms::PlatformCond>,
    devices: Option<devices::DeviceFilterCond>,
    device_states: Option<device_states::DeviceStatesCond>,
    client_apps: Option<client_apps::ClientAppsCond>,
    location: Option<locations::LocationCond>,
    sign_in_risk: Option<sign_in_risk::SignInRiskCond>,
    user_risk: Option<user_risk::UserRiskCond>,
    sp_risk: Option<sp_risk::SpRiskCond>,
    insider_risk: Option<insider_risk::InsiderRiskCond>,
    auth_flow: Option<auth_flows::AuthFlowCond>,
    agent_risk: Option<agent_risk::AgentRiskCond>,
    agent_context: Option<agent_context::AgentContextCond>,
    /// Beta-only conditions that are set but not evaluable (policy-model.md V13).
    unevaluable: Vec<(ConditionName, Reason)>,
}

impl ConditionSet {
    pub fn compile(c: Option<&Conditions>, cx: &mut CompileCx) -> ConditionSet {
        let Some(c) = c else {
            cx.issue("policy has no `conditions`: it cannot apply to anything (V1)");
            return ConditionSet {
                application: Some(applications::ApplicationCond::nothing()),
                ..ConditionSet::default()
            };
        };
        let workload = workload::compile(c.client_applications.as_ref(), cx);
        let is_workload = workload.is_some();
        let apps = c.applications.as_ref();
        let (application, agent_resources) = agent_resources::split(apps, cx);
        let mut set = ConditionSet {
            users: Some(users::compile(
                c.users.as_ref(),
                c.agents.as_ref(),
                is_workload,
                cx,
            )),
            workload,
            application,
            agent_resources,
            user_actions: user_actions::compile(apps, cx),
            auth_context: auth_context::compile(apps, cx),
            platform: platforms::compile(c.platforms.as_ref(), cx),
            devices: devices::compile(c.devices.as_ref(), cx),
            device_states: device_states::compile(c.device_states.as_ref(), c.devices.as_ref(), cx),
            client_apps: client_apps::compile(&c.client_app_types, cx),
            location: locations::compile(c.locations.as_ref(), cx),
            sign_in_risk: sign_in_risk::compile(&c.sign_in_risk_levels, cx),
            user_risk: user_risk::compile(&c.user_risk_levels, cx),
            sp_risk: sp_risk::compile(&c.service_principal_risk_levels, cx),
            insider_risk: insider_risk::compile(&c.insider_risk_levels.0, cx),
            auth_flow: auth_flows::compile(c.authentication_flows.as_ref(), cx),
            agent_risk: agent_risk::compile(&c.agent_id_risk_levels.0, cx),
            agent_context: agent_context::compile(c.agent_context.as_ref(), cx),
            unevaluable: vec![],
        };
        for (name, v) in [("times", &c.times), ("clients", &c.clients)] {
            if v.as_ref().is_some_and(|v| !v.is_null()) {
                cx.issue(format!(
                    "beta condition `{name}` is set but not evaluated (V13)"
                ));
                set.unevaluable.push((
                    ConditionName::Users,
                    format!("beta condition `{name}` not evaluated").into(),
                ));
            }
        }
        set
    }

    /// Whether the policy targets `All` resources (for the registration strength rule,
    /// evaluation.md §4.4).
    pub fn targets_all_resources(&self) -> bool {
        self.application.as_ref().is_some_and(|a| a.includes_all())
    }

    /// Whether the policy targets a user action (§3.4c).
    pub fn targets_user_action(&self) -> bool {
        self.user_actions.is_some()
    }

    /// Three-valued AND over the configured conditions (evaluation.md §0 step 4); the
    /// first `No` in §3.12 order is reported.
    pub fn evaluate(&self, ctx: &Ctx) -> Applicability {
        // Conditions are evaluated lazily, in §3.12 order: the first `No` decides and the
        // conditions after it are never evaluated (they are pure, so the result is the
        // same as evaluating all of them; most policies stop at users or resources).
        let mut unknown: Vec<(ConditionName, Reason)> = vec![];
        macro_rules! step {
            ($name:ident, $field:ident) => {
                if let Some(c) = self.$field.as_ref() {
                    match c.eval(ctx) {
                        Check::Yes => {}
                        Check::No(reason) => {
                            return Applicability::NotApplied {
                                condition: ConditionName::$name,
                                reason,
                            }
                        }
                        Check::Unknown(r) => unknown.push((ConditionName::$name, r)),
                    }
                }
            };
        }
        step!(Users, users);
        step!(WorkloadIdentities, workload);
        step!(Application, application);
        step!(Application, agent_resources);
        step!(UserActions, user_actions);
        step!(AuthenticationContext, auth_context);
        step!(DevicePlatform, platform);
        step!(Devices, devices);
        step!(Devices, device_states);
        step!(ClientApps, client_apps);
        step!(Location, location);
        step!(SignInRisk, sign_in_risk);
        step!(UserRisk, user_risk);
        step!(ServicePrincipalRisk, sp_risk);
        step!(InsiderRisk, insider_risk);
        step!(AuthenticationFlow, auth_flow);
        step!(AgentRisk, agent_risk);
        step!(AgentContext, agent_context);
        self.applies_or_unknown(unknown)
    }

    /// No condition said No: `Applies`, or `Unknown` with the undecided conditions and the
    /// set's unevaluable beta conditions.
    fn applies_or_unknown(&self, mut unknown: Vec<(ConditionName, Reason)>) -> Applicability {
        unknown.extend(self.unevaluable.iter().cloned());
        if unknown.is_empty() {
            Applicability::Applies
        } else {
            Applicability::Unknown {
                conditions: unknown,
            }
        }
    }

    /// The slow twin of [`evaluate`](ConditionSet::evaluate): every configured condition
    /// is evaluated, then combined (the agreement test is in src/engine/evaluate.rs).
    #[cfg(test)]
    pub fn evaluate_eager(&self, ctx: &Ctx) -> Applicability {
        let checks: [(ConditionName, Option<Check>); 18] = [
            (
                ConditionName::Users,
                self.users.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::WorkloadIdentities,
                self.workload.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::Application,
                self.application.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::Application,
                self.agent_resources.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::UserActions,
                self.user_actions.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::AuthenticationContext,
                self.auth_context.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::DevicePlatform,
                self.platform.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::Devices,
                self.devices.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::Devices,
                self.device_states.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::ClientApps,
                self.client_apps.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::Location,
                self.location.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::SignInRisk,
                self.sign_in_risk.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::UserRisk,
                self.user_risk.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::ServicePrincipalRisk,
                self.sp_risk.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::InsiderRisk,
                self.insider_risk.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::AuthenticationFlow,
                self.auth_flow.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::AgentRisk,
                self.agent_risk.as_ref().map(|c| c.eval(ctx)),
            ),
            (
                ConditionName::AgentContext,
                self.agent_context.as_ref().map(|c| c.eval(ctx)),
            ),
        ];
        let mut first_no = None;
        let mut unknown: Vec<(ConditionName, Reason)> = vec![];
        for (name, check) in checks {
            match check {
                None | Some(Check::Yes) => {}
                Some(Check::No(reason)) => {
                    if first_no.is_none() {
                        first_no = Some((name, reason));
                    }
                }
                Some(Check::Unknown(r)) => unknown.push((name, r)),
            }
        }
        if let Some((condition, reason)) = first_no {
            return Applicability::NotApplied { condition, reason };
        }
        self.applies_or_unknown(unknown)
    }
}
