//! Why an event is undecided: the conditions, grants or interaction checks that made an
//! Unknown decision Unknown. The report counts events by these causes so its headline can
//! say how much of the answer is undecided and what would decide it (issue "Never a
//! confident answer from broken or partial input").

use super::result::{Applicability, Decision, EventResult, GrantResult};
use crate::model::Reason;

/// Cause name of an Unknown grant (the policy applies; whether its controls are met is
/// not in the log).
pub const GRANT: &str = "grant";
/// Cause name of an unknown "can this client answer a challenge" (the request kind or
/// client is not in the log).
pub const INTERACTION: &str = "interaction";
/// Cause name of a session control whose fact is not in the log (token protection's
/// binding) while the grant controls themselves were decided.
pub const SESSION: &str = "sessionControl";

/// One reason an event is undecided: a condition name (`userRisk`, `location`, ...) or
/// [`GRANT`] / [`INTERACTION`], and the engine's reason text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct UnknownCause {
    pub cause: &'static str,
    pub reason: Reason,
}

/// Add the causes of `result`'s decision to `out` when it is Unknown (nothing otherwise).
/// One entry per cause name, with the smallest reason, so the result does not depend on
/// policy order; `out` stays sorted by cause name.
pub fn unknown_causes(result: &EventResult, out: &mut Vec<UnknownCause>) {
    let Decision::Unknown { policies, .. } = &result.decision else {
        return;
    };
    for &i in policies {
        let Some(r) = result.policies.iter().find(|p| p.index == i) else {
            continue;
        };
        match (&r.applicability, &r.grant) {
            (Applicability::Unknown { conditions }, _) => {
                for (c, why) in conditions {
                    add(out, c.as_str(), why);
                }
            }
            (Applicability::Applies, Some(GrantResult::Unknown { .. }))
                if r.notes.session_unknown.is_some() =>
            {
                let why = r.notes.session_unknown.clone().unwrap_or_default();
                add(out, SESSION, &Reason::Owned(why));
            }
            (Applicability::Applies, Some(GrantResult::Unknown { reason })) => {
                add(out, GRANT, &Reason::Owned(reason.clone()));
            }
            (Applicability::Applies, _) => add(
                out,
                INTERACTION,
                &Reason::Borrowed("whether this request can answer a challenge is not in the log"),
            ),
            (Applicability::NotApplied { .. }, _) => {}
        }
    }
}

fn add(out: &mut Vec<UnknownCause>, cause: &'static str, reason: &Reason) {
    match out.binary_search_by(|c| c.cause.cmp(cause)) {
        Ok(k) => {
            if reason.as_ref() < out[k].reason.as_ref() {
                out[k].reason = reason.clone();
            }
        }
        Err(k) => out.insert(
            k,
            UnknownCause {
                cause,
                reason: reason.clone(),
            },
        ),
    }
}
