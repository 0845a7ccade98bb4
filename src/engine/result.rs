//! Result vocabulary of the evaluator (design.md "Core vocabulary"; evaluation.md §10).

use crate::model::Reason;
use std::fmt;

/// Policy `state` (policy-model.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyState {
    Enabled,
    ReportOnly,
    Disabled,
}

impl fmt::Display for PolicyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyState::Enabled => "enabled",
            PolicyState::ReportOnly => "enabledForReportingButNotEnforced",
            PolicyState::Disabled => "disabled",
        })
    }
}

/// The conditions of a policy, in the order used for "first failing condition"
/// (evaluation.md §3.12, Graph `whatIfAnalysisReasons` order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConditionName {
    Users,
    WorkloadIdentities,
    Application,
    UserActions,
    AuthenticationContext,
    DevicePlatform,
    Devices,
    ClientApps,
    Location,
    SignInRisk,
    UserRisk,
    ServicePrincipalRisk,
    InsiderRisk,
    AuthenticationFlow,
    /// Agent risk (`agentIdRiskLevels`; What If reason `agentIdRisk`).
    AgentRisk,
    /// Agent execution environments (`agentContext`).
    AgentContext,
    /// Not a condition: the policy is disabled (Graph `whatIfAnalysisReasons`
    /// `policyNotEnabled`; logged `notEnabled`).
    PolicyNotEnabled,
}

impl ConditionName {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionName::Users => "users",
            ConditionName::WorkloadIdentities => "workloadIdentities",
            ConditionName::Application => "application",
            ConditionName::UserActions => "userActions",
            ConditionName::AuthenticationContext => "authenticationContext",
            ConditionName::DevicePlatform => "devicePlatform",
            ConditionName::Devices => "devices",
            ConditionName::ClientApps => "clientApps",
            ConditionName::Location => "location",
            ConditionName::SignInRisk => "signInRisk",
            ConditionName::UserRisk => "userRisk",
            ConditionName::ServicePrincipalRisk => "servicePrincipalRisk",
            ConditionName::InsiderRisk => "insiderRisk",
            ConditionName::AuthenticationFlow => "authenticationFlow",
            ConditionName::AgentRisk => "agentIdRisk",
            ConditionName::AgentContext => "agentContext",
            ConditionName::PolicyNotEnabled => "policyNotEnabled",
        }
    }
}

impl fmt::Display for ConditionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a policy applies to an event (evaluation.md §0 step 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    Applies,
    /// The first condition (in §3.12 order) that is definitely not satisfied.
    NotApplied {
        condition: ConditionName,
        reason: Reason,
    },
    /// No condition is definitely unsatisfied, but these could not be decided.
    Unknown {
        conditions: Vec<(ConditionName, Reason)>,
    },
}

/// One grant control (evaluation.md §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Control {
    Block,
    Mfa,
    AuthenticationStrength { id: String, name: String },
    CompliantDevice,
    DomainJoinedDevice,
    ApprovedApplication,
    CompliantApplication,
    PasswordChange,
    RiskRemediation,
    TermsOfUse(String),
    Custom(String),
}

impl Control {
    /// Prompt order of evaluation.md §4.5 (lower = asked first). Strength is asked with MFA.
    pub fn prompt_rank(&self) -> u8 {
        match self {
            Control::Block => 0,
            Control::Mfa | Control::AuthenticationStrength { .. } => 1,
            Control::CompliantDevice => 2,
            Control::DomainJoinedDevice => 3,
            Control::ApprovedApplication => 4,
            Control::CompliantApplication => 5,
            Control::PasswordChange | Control::RiskRemediation => 6,
            Control::TermsOfUse(_) => 7,
            Control::Custom(_) => 8,
        }
    }

    /// The Graph-ish kind name without parameters (`authenticationStrength`, `termsOfUse`).
    pub fn kind(&self) -> &'static str {
        match self {
            Control::Block => "block",
            Control::Mfa => "mfa",
            Control::AuthenticationStrength { .. } => "authenticationStrength",
            Control::CompliantDevice => "compliantDevice",
            Control::DomainJoinedDevice => "domainJoinedDevice",
            Control::ApprovedApplication => "approvedApplication",
            Control::CompliantApplication => "compliantApplication",
            Control::PasswordChange => "passwordChange",
            Control::RiskRemediation => "riskRemediation",
            Control::TermsOfUse(_) => "termsOfUse",
            Control::Custom(_) => "custom",
        }
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Control::AuthenticationStrength { name, .. } => {
                write!(f, "authenticationStrength:{name}")
            }
            Control::TermsOfUse(id) => write!(f, "termsOfUse:{id}"),
            Control::Custom(id) => write!(f, "custom:{id}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// Grant verdict of one policy (evaluation.md §4.1–4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantResult {
    Block,
    /// `grantControls = null`: session controls only.
    SessionOnly,
    Met,
    /// `fixable` = an interactive prompt in this request could satisfy it.
    Unmet {
        missing: Vec<Control>,
        fixable: bool,
    },
    Unknown {
        reason: String,
    },
}

/// The verdict of one grant control and its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    Met(Reason),
    Unmet { fixable: bool, why: Reason },
    Unknown(Reason),
}

/// The evidence notes of one policy, kept structured: every evaluated key builds them,
/// few are ever shown, so their text is written by [`Notes::lines`] on demand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// The registration interrupt superseded this policy's strength (evaluation.md §4.4).
    pub superseded: bool,
    /// Each grant control with its verdict, in the policy's order.
    pub controls: Vec<(Control, Evidence)>,
    /// Session controls that took part in the verdict (`engine::session`).
    pub session: Vec<String>,
    /// Why a session control turned the verdict into a block (decision reasons name it).
    pub session_block: Option<String>,
    /// Why a session control alone left the verdict Unknown (the grant itself was decided):
    /// the undecided-cause tables count it apart from grant controls.
    pub session_unknown: Option<String>,
}

impl Notes {
    /// One line per note: the precedence rule first, then each control.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.controls.len() + 1);
        if self.superseded {
            out.push(
                "registration interrupt mode: this policy's authentication strength is superseded by the user-action policy's strength (docs/coverage.md, registration)"
                    .to_string(),
            );
        }
        for (c, e) in &self.controls {
            out.push(match e {
                Evidence::Met(w) => format!("{c}: met ({w})"),
                Evidence::Unmet { fixable, why } => format!(
                    "{c}: unmet, {} ({why})",
                    if *fixable {
                        "fixable interactively"
                    } else {
                        "not fixable in this sign-in"
                    }
                ),
                Evidence::Unknown(r) => format!("{c}: unknown ({r})"),
            });
        }
        out.extend(self.session.iter().cloned());
        out
    }
}

/// Per-policy result for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyResult {
    /// Index into [`crate::engine::CompiledSet::policies`].
    pub index: usize,
    pub applicability: Applicability,
    /// `None` when the policy is not applied (or disabled).
    pub grant: Option<GrantResult>,
    /// Evidence notes: which evidence met or missed each control, precedence rules used.
    pub notes: Notes,
    // The session controls a policy would apply (recorded, never decide; evaluation.md
    // §5) are its own, not the event's: `CompiledPolicy::session_controls`. (A copy of
    // that `Arc` in every result cost two atomic operations per policy per evaluation.)
}

impl PolicyResult {
    /// One line on this policy: whether it applies and why, and what it demands (built
    /// on demand: a replay shows it only for the few policies that apply).
    pub fn explanation(&self, set: &super::CompiledSet) -> String {
        match set.policies().get(self.index) {
            Some(p) => super::explain::explain_policy(p, &self.applicability, self.grant.as_ref()),
            None => format!("policy #{} is not in this set", self.index),
        }
    }

    /// The `appliedConditionalAccessPolicy.result` Microsoft would log (evaluation.md §6.3);
    /// `None` when the value is not determined by the evidence (later record, unconfirmed
    /// report-only behaviour, or an Unknown verdict). `interactive` is the request kind.
    pub fn logged_result(
        &self,
        state: PolicyState,
        interactive: Option<bool>,
    ) -> Option<&'static str> {
        let ro = state == PolicyState::ReportOnly;
        let pick = |on: &'static str, report: &'static str| Some(if ro { report } else { on });
        if state == PolicyState::Disabled {
            return Some("notEnabled");
        }
        match (&self.applicability, &self.grant) {
            (Applicability::NotApplied { .. }, _) => pick("notApplied", "reportOnlyNotApplied"),
            (Applicability::Unknown { .. }, _) => None,
            (Applicability::Applies, None) => None,
            (Applicability::Applies, Some(g)) => match g {
                GrantResult::Block => pick("failure", "reportOnlyFailure"),
                GrantResult::Met | GrantResult::SessionOnly => pick("success", "reportOnlySuccess"),
                GrantResult::Unmet { fixable: false, .. } => pick("failure", "reportOnlyFailure"),
                GrantResult::Unmet { fixable: true, .. } => match (ro, interactive) {
                    (true, Some(true)) => Some("reportOnlyInterrupted"),
                    // evaluation.md §6.3: report-only + non-interactive is [unconfirmed].
                    (true, _) => None,
                    (false, Some(false)) => Some("failure"),
                    // Interactive: success or failure depends on what the user did next.
                    (false, _) => None,
                },
                GrantResult::Unknown { .. } => None,
            },
        }
    }

    pub fn applies(&self) -> bool {
        self.applicability == Applicability::Applies
    }
}

/// Per-event decision over **enabled** policies (evaluation.md §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Controls in prompt order (the first is what the user is asked first).
    Challenged {
        controls: Vec<Control>,
        policies: Vec<usize>,
    },
    Blocked {
        policies: Vec<usize>,
        reasons: Vec<String>,
    },
    Unknown {
        policies: Vec<usize>,
        reasons: Vec<String>,
    },
}

impl Decision {
    pub fn label(&self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Challenged { .. } => "challenged",
            Decision::Blocked { .. } => "blocked",
            Decision::Unknown { .. } => "unknown",
        }
    }
}

/// Everything the evaluator says about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventResult {
    /// One entry per compiled policy, in policy order.
    pub policies: Vec<PolicyResult>,
    pub decision: Decision,
}

#[cfg(test)]
mod notes_tests {
    use super::{Control, Evidence, Notes};

    #[test]
    fn notes_are_written_out_one_line_per_rule_and_control() {
        let notes = Notes {
            superseded: true,
            controls: vec![
                (Control::Mfa, Evidence::Met("push completed".into())),
                (
                    Control::CompliantDevice,
                    Evidence::Unmet {
                        fixable: false,
                        why: "device is not compliant".into(),
                    },
                ),
                (
                    Control::TermsOfUse("t1".into()),
                    Evidence::Unmet {
                        fixable: true,
                        why: "not accepted".into(),
                    },
                ),
                (
                    Control::DomainJoinedDevice,
                    Evidence::Unknown("join type unknown".into()),
                ),
            ],
            ..Notes::default()
        };
        let lines = notes.lines();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("registration interrupt mode:"));
        assert_eq!(lines[1], "mfa: met (push completed)");
        assert_eq!(
            lines[2],
            "compliantDevice: unmet, not fixable in this sign-in (device is not compliant)"
        );
        assert!(lines[3].ends_with(": unmet, fixable interactively (not accepted)"));
        assert_eq!(lines[4], "domainJoinedDevice: unknown (join type unknown)");
        assert!(Notes::default().lines().is_empty());
    }
}
