//! Session controls that change a policy's outcome (issue 24 item 5), applied to an
//! applying policy's grant verdict: token protection (`secureSignInSession`) and CAE strict
//! location enforcement. Sign-in frequency `everyTime` acts inside the grant
//! (`GrantOpts::every_time`). Each decides where the event carries the fact and is
//! Unknown otherwise; none is ever ignored.

use super::compile::{CompiledPolicy, SessionRules};
use super::context::Ctx;
use super::result::{Applicability, ConditionName, GrantResult, Notes};
use crate::model::{EventFacts, TokenBinding};

/// Token protection: "unbound requests are blocked" (concept-token-protection.md,
/// overview and "Monitoring Conditional Access enforcement of token protection"); the
/// log's `tokenProtectionStatusDetails.signInSessionStatus` says which a request was.
pub(crate) fn apply(
    rules: SessionRules,
    grant: GrantResult,
    ctx: &Ctx,
    notes: &mut Notes,
) -> GrantResult {
    if !rules.token_protection {
        return grant;
    }
    match ctx.facts.token_protection {
        Some(TokenBinding::Bound) => {
            notes
                .session
                .push("token protection: the sign-in session is device-bound (passes)".into());
            grant
        }
        Some(TokenBinding::Unbound) => {
            let why = "token protection: the sign-in session is not device-bound, so the request \
                       is blocked (https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection)";
            notes
                .session
                .push(format!("{why}, not fixable in this sign-in"));
            notes.session_block = Some(why.into());
            GrantResult::Block
        }
        None => {
            let why = "token protection: whether the sign-in session is device-bound is not in \
                       the log (beta tokenProtectionStatusDetails); an unbound one is blocked";
            notes.session.push(format!("{why}: unknown"));
            match grant {
                // Already refused whatever the binding.
                GrantResult::Block | GrantResult::Unmet { fixable: false, .. } => grant,
                GrantResult::Unknown { reason } => GrantResult::Unknown {
                    reason: format!("{reason}; {why}"),
                },
                _ => {
                    notes.session_unknown = Some(why.into());
                    GrantResult::Unknown { reason: why.into() }
                }
            }
        }
    }
}

/// CAE strict location: "immediately stopping access if the IP address detected by the
/// resource provider isn't allowed by Conditional Access policy"
/// (concept-continuous-access-evaluation-strict-enforcement.md, intro and table). A policy
/// whose location condition leaves the Entra-seen IP out may still apply to the IP the
/// resource sees: its conditions are evaluated again with that IP (whose country the log
/// does not give). Without the resource IP in the log, the location part is Unknown.
pub(crate) fn strict_location(
    p: &CompiledPolicy,
    applicability: Applicability,
    ctx: &Ctx,
) -> Applicability {
    let by_location = matches!(
        applicability,
        Applicability::NotApplied {
            condition: ConditionName::Location,
            ..
        }
    );
    if !p.session_rules.cae_strict_location || !by_location {
        return applicability;
    }
    let resource_ip = match ctx.facts.resource_ip {
        // Blank in the log: the resource saw the same IP as Entra.
        Some(None) => return applicability,
        Some(Some(ip)) if Some(ip) == ctx.facts.ip => return applicability,
        Some(Some(ip)) => Some(ip),
        None => None,
    };
    let facts = EventFacts {
        ip: resource_ip,
        country: None,
        ..ctx.facts.clone()
    };
    let again = Ctx::new(&facts, ctx.dir);
    match p.conditions.evaluate(&again) {
        Applicability::Unknown { conditions } if resource_ip.is_none() => Applicability::Unknown {
            conditions: conditions
                .into_iter()
                .map(|(c, r)| {
                    if c == ConditionName::Location {
                        (
                            c,
                            "CAE strict location enforcement: the IP seen by the resource \
                             (beta ipAddressFromResourceProvider) is not in the log"
                                .into(),
                        )
                    } else {
                        (c, r)
                    }
                })
                .collect(),
        },
        Applicability::NotApplied { .. } => applicability,
        other => other,
    }
}
