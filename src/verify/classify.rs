//! Disagreement classes with a likely cause (issue "verify"): each disagreement between a
//! predicted and a logged per-policy result is put in one class.

use serde::Serialize;

use crate::engine::{Applicability, ConditionName, GrantResult, PolicyResult};
use crate::model::EventFacts;
use crate::signin::SignInRecord;

use super::history::PolicyHistory;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DisagreementClass {
    pub class: String,
    pub likely_cause: String,
    pub count: u64,
    pub example_request_id: String,
    pub example_policy: String,
}

fn not_applied(v: &str) -> bool {
    v.to_ascii_lowercase().contains("notapplied")
}

/// (class, likely cause) of one disagreement.
pub fn classify(
    predicted: &str,
    logged: &str,
    pr: &PolicyResult,
    facts: &EventFacts,
    history: &PolicyHistory,
    rec: &SignInRecord,
) -> (String, String) {
    let applicability_differs = not_applied(predicted) != not_applied(logged);
    if applicability_differs {
        let cond = match &pr.applicability {
            Applicability::NotApplied { condition, .. } => Some(*condition),
            _ => None,
        };
        match cond {
            Some(ConditionName::Location) => {
                return (
                    "location evaluated differently".into(),
                    if facts.kind == Some(crate::model::EventKind::NonInteractive) {
                        "non-interactive rows carry the IP of the original token issuance; or \
                         named-location ranges / Microsoft's IP-to-country table differ from the \
                         snapshot"
                            .into()
                    } else {
                        "named-location ranges or Microsoft's IP-to-country table differ from the \
                         snapshot (location database differences)"
                            .into()
                    },
                );
            }
            Some(ConditionName::Users) | None if history.directory_missing_user(facts) => {
                return (
                    "user scope differs: user not in directory snapshot".into(),
                    "missing directory data: group/role membership of this user is not in the \
                     snapshot"
                        .into(),
                );
            }
            Some(ConditionName::Users) => {
                return (
                    "user scope differs".into(),
                    "directory snapshot taken at another time than the sign-in (group or role \
                     membership changed)"
                        .into(),
                );
            }
            Some(ConditionName::Devices) | Some(ConditionName::DevicePlatform) => {
                return (
                    "device condition evaluated differently".into(),
                    "device facts absent from or different in the export (filter attributes, \
                     platform from the user agent)"
                        .into(),
                );
            }
            Some(c) => {
                return (
                    format!("{c} condition evaluated differently"),
                    format!(
                        "careplay found the {c} condition not satisfied while Entra applied the \
                         policy, or the reverse"
                    ),
                );
            }
            None => {
                return (
                    "applies per careplay, not applied per Entra".into(),
                    "a condition Entra evaluates with facts the export does not carry (or a \
                     bootstrap exemption, docs/coverage.md)"
                        .into(),
                );
            }
        }
    }
    // Both say the policy applied: the grant outcome differs.
    let device_missing = facts.device.is_compliant.is_none() || facts.device.trust_type.is_none();
    let device_control = matches!(&pr.grant, Some(GrantResult::Unmet { missing, .. })
        if missing.iter().any(|c| matches!(c, crate::engine::Control::CompliantDevice | crate::engine::Control::DomainJoinedDevice)));
    if device_control && device_missing {
        return (
            "grant outcome differs: device state".into(),
            "device facts absent from the export (isCompliant / trustType not logged)".into(),
        );
    }
    let _ = rec;
    (
        "grant outcome differs".into(),
        "authentication evidence in the export (methods, MFA claim) differs from what Entra \
         saw, or the user completed a prompt in a later record"
            .into(),
    )
}
