//! V5: `riskRemediation` must be AND-ed with an authentication strength and is not
//! combined with `passwordChange` (policy-model.md §11).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    RiskRemediation,
    "V5",
    "risk-remediation-shape",
    Severity::Error,
    "riskRemediation: with an authentication strength via AND, not with passwordChange",
    |p, t| {
        if !view::has_control(p, "riskRemediation") {
            return vec![];
        }
        let mut wrong = Vec::new();
        if view::strength(p).is_none() {
            wrong.push("no `authenticationStrength`");
        }
        if view::grant_count(p) > 1 && !view::operator_is_and(p) {
            wrong.push("operator is not AND");
        }
        if view::has_control(p, "passwordChange") {
            wrong.push("combined with `passwordChange`");
        }
        if wrong.is_empty() {
            vec![]
        } else {
            vec![Hit::new(
                ".grantControls",
                format!("`riskRemediation`: {}", wrong.join("; ")),
            )]
        }
    }
);
