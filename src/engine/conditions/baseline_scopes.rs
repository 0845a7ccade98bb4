//! "All resources" policies with resource exclusions and requests for baseline scopes only
//! (openid, profile, email, offline_access, User.Read, People.Read, ...): dated behaviour.
//!
//! Sources: entra-docs `improved-enforcement-resource-exclusions.md` (ms.date 2026-04-14)
//! § "Overview" ("Starting May 13, 2026, Microsoft Entra ID is rolling out an improved
//! enforcement model"), § "What are baseline scopes", § "Preview the enforcement change"
//! ("If a custom target resource isn't selected, the rollout ... is enforced in phases
//! starting May 13, 2026"), § "Retain legacy behavior with baseline scope settings"; and
//! `concept-conditional-access-cloud-apps.md` (2026-01-26) § "Legacy Conditional Access
//! behavior when an ALL resources policy has a resource exclusion" / § "New Conditional
//! Access behavior ...". (That page and evaluation.md §8 still say March 2026 / June 15
//! 2026; the newer dedicated article's May 13 date is used.)
//!
//! * Legacy: such a request was exempt from an All-resources policy with an exclusion.
//! * Improved: it is evaluated as Windows Azure Active Directory (Azure AD Graph).
//! * Custom target: it is evaluated as the tenant's chosen app (excluding that app from a
//!   policy keeps the legacy behaviour for that policy).
//!
//! The requested scopes are not in any sign-in log export, so where the answer depends on
//! them the result is Unknown with the reason. A baseline-scope request's token audience is
//! Microsoft Graph or Azure AD Graph, so only events with those resources are affected;
//! any other resource means scopes beyond the baseline ("There is no change in behavior
//! when an application requests any additional scope").

use crate::model::{Reason, Tri};
use crate::policy::directory::id_key;
use crate::policy::BaselineScopeTarget;
use chrono::{DateTime, TimeZone, Utc};

/// Windows Azure Active Directory (Azure AD Graph): the improved enforcement audience.
pub const AAD_GRAPH: &str = "00000002-0000-0000-c000-000000000000";
const MS_GRAPH: &str = "00000003-0000-0000-c000-000000000000";

/// Start of the phased rollout (improved-enforcement-resource-exclusions.md § Overview).
pub fn rollout_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 13, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The representative of `t`'s period: every time in a period gets the same answer, so the
/// replay's evaluation key keeps the period, not the second.
pub fn period(t: DateTime<Utc>) -> DateTime<Utc> {
    let start = rollout_start();
    if t < start {
        DateTime::<Utc>::MIN_UTC
    } else {
        start
    }
}

/// The enforcement models that may have been in force for the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model<'a> {
    Legacy,
    Improved,
    Custom(&'a str),
}

fn models<'a>(setting: &'a BaselineScopeTarget, at: Option<DateTime<Utc>>) -> Vec<Model<'a>> {
    match setting {
        BaselineScopeTarget::Default => vec![Model::Improved],
        BaselineScopeTarget::Custom(app) => vec![Model::Custom(app)],
        BaselineScopeTarget::NotConfigured => match at {
            Some(t) if t < rollout_start() => vec![Model::Legacy],
            // Phased from 2026-05-13, no end date given: either model may apply.
            _ => vec![Model::Legacy, Model::Improved],
        },
    }
}

/// Whether a resource may be the audience of a baseline-scope request.
pub fn graph_family(resource: &str) -> bool {
    let k = id_key(resource);
    k == AAD_GRAPH || k == MS_GRAPH
}

/// The policy's answer for an event on a Graph-family resource, given `logged` (the answer
/// for the audiences as logged, i.e. a request with scopes beyond the baseline) and
/// `matches(app)` (the policy's answer for one audience app id).
pub fn decide(
    setting: &BaselineScopeTarget,
    at: Option<DateTime<Utc>>,
    audiences_logged: bool,
    logged: Tri,
    matches: impl Fn(&str) -> Tri,
) -> Tri {
    let ms = models(setting, at);
    let mut outcomes = vec![logged.clone()];
    for m in &ms {
        match m {
            // The exemption does not show in any log field.
            Model::Legacy => outcomes.push(Tri::No),
            // With conditionalAccessAudiences exported, the enforcement audience (Azure AD
            // Graph or the custom app) is among the logged audiences ("list the custom
            // application as a Conditional Access audience in sign-in logs").
            Model::Improved if !audiences_logged => outcomes.push(matches(AAD_GRAPH)),
            Model::Custom(app) if !audiences_logged => outcomes.push(matches(app)),
            _ => {}
        }
    }
    if outcomes.iter().all(Tri::is_yes) {
        return Tri::Yes;
    }
    if outcomes.iter().all(Tri::is_no) {
        return Tri::No;
    }
    if logged.is_unknown() {
        return logged;
    }
    let why: &'static str = match ms.as_slice() {
        [Model::Legacy] => "before the 2026-05-13 rollout, a request for only baseline scopes (openid, profile, User.Read, ...) was exempt from an All-resources policy with exclusions (https://learn.microsoft.com/entra/identity/conditional-access/improved-enforcement-resource-exclusions); the requested scopes are not in sign-in logs",
        [Model::Improved] => "a request for only baseline scopes is evaluated as Windows Azure Active Directory, which this policy excludes (https://learn.microsoft.com/entra/identity/conditional-access/improved-enforcement-resource-exclusions); the requested scopes are not in sign-in logs",
        [Model::Custom(_)] => "a request for only baseline scopes is evaluated as the tenant's custom target resource (baseline scope settings), which this policy excludes; the requested scopes are not in sign-in logs",
        _ => "from 2026-05-13 Microsoft enforces baseline-scope requests (openid, profile, User.Read, ...) on All-resources policies with exclusions in phases (https://learn.microsoft.com/entra/identity/conditional-access/improved-enforcement-resource-exclusions); whether that had reached the tenant and the requested scopes are not in the logs (state it with baselineScopes in tenantSettings.json)",
    };
    Tri::Unknown(Reason::Borrowed(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single()
    }

    #[test]
    fn periods_give_the_same_models() {
        for t in [
            at(2026, 1, 1),
            at(2026, 5, 12),
            at(2026, 5, 13),
            at(2026, 11, 1),
        ]
        .into_iter()
        .flatten()
        {
            let s = BaselineScopeTarget::NotConfigured;
            assert_eq!(models(&s, Some(t)), models(&s, Some(period(t))), "{t}");
        }
    }

    #[test]
    fn the_models_decide_where_scopes_do_not_matter() {
        let nc = BaselineScopeTarget::NotConfigured;
        let yes = |_: &str| Tri::Yes;
        // Legacy: applies only to requests beyond the baseline.
        assert!(decide(&nc, at(2026, 4, 1), true, Tri::Yes, yes).is_unknown());
        assert_eq!(decide(&nc, at(2026, 4, 1), true, Tri::No, yes), Tri::No);
        // Improved, Azure AD Graph not excluded: applies either way.
        let d = BaselineScopeTarget::Default;
        assert_eq!(decide(&d, at(2026, 4, 1), false, Tri::Yes, yes), Tri::Yes);
        let aad_excluded = |a: &str| Tri::from_bool(a != AAD_GRAPH);
        assert!(decide(&d, None, false, Tri::Yes, aad_excluded).is_unknown());
        // With audiences logged, the logged audiences are the evaluated ones.
        assert_eq!(decide(&d, None, true, Tri::Yes, aad_excluded), Tri::Yes);
    }
}
