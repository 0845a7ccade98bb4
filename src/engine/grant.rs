//! Grant controls (evaluation.md §4.1–4.4): the demand of an applying policy and its
//! three-valued verdict against the event's evidence.

use super::bootstrap::{self, Exemption};
use super::context::Ctx;
// A control's verdict is kept as is in the policy's `Notes` (as `Evidence`).
use super::result::{Control, Evidence as Eval, GrantResult, Notes};
use super::strength::{self, methods_satisfy, CompiledStrength, MethodOpts};
use crate::model::{
    AuthMethod, ExternalUserType, Externality, Reason, TransferMethod, Tri, TrustType,
};
use std::sync::Arc;

/// One compiled control.
#[derive(Debug, Clone)]
pub(crate) enum CControl {
    Mfa,
    Strength(Arc<CompiledStrength>),
    /// Strength id that resolves nowhere (V12).
    MissingStrength(String),
    CompliantDevice,
    DomainJoinedDevice,
    ApprovedApplication,
    CompliantApplication,
    PasswordChange,
    RiskRemediation,
    TermsOfUse(String),
    Custom(String),
    /// `unknownFutureValue` or an unknown built-in control (V13).
    Unrecognised(String),
}

impl CControl {
    pub fn public(&self) -> Control {
        match self {
            CControl::Mfa => Control::Mfa,
            CControl::Strength(s) => Control::AuthenticationStrength {
                id: s.id.clone(),
                name: s.name.clone(),
            },
            CControl::MissingStrength(id) => Control::AuthenticationStrength {
                id: id.clone(),
                name: id.clone(),
            },
            CControl::CompliantDevice => Control::CompliantDevice,
            CControl::DomainJoinedDevice => Control::DomainJoinedDevice,
            CControl::ApprovedApplication => Control::ApprovedApplication,
            CControl::CompliantApplication => Control::CompliantApplication,
            CControl::PasswordChange => Control::PasswordChange,
            CControl::RiskRemediation => Control::RiskRemediation,
            CControl::TermsOfUse(id) => Control::TermsOfUse(id.clone()),
            CControl::Custom(id) => Control::Custom(id.clone()),
            CControl::Unrecognised(v) => Control::Custom(format!("unrecognised:{v}")),
        }
    }
}

/// What an applying policy demands (evaluation.md §4.1).
#[derive(Debug, Clone)]
pub(crate) enum Demand {
    Block,
    SessionOnly,
    Grant { all: bool, controls: Vec<CControl> },
}

impl Demand {
    pub fn has_strength(&self) -> bool {
        matches!(self, Demand::Grant { controls, .. }
            if controls.iter().any(|c| matches!(c, CControl::Strength(_) | CControl::MissingStrength(_))))
    }
    /// Short human description ("block", "mfa OR compliantDevice").
    pub fn describe(&self) -> String {
        match self {
            Demand::Block => "block".into(),
            Demand::SessionOnly => "session controls only".into(),
            Demand::Grant { all, controls } => controls
                .iter()
                .map(|c| c.public().to_string())
                .collect::<Vec<_>>()
                .join(if *all { " AND " } else { " OR " }),
        }
    }
}

fn unmet(fixable: bool, why: impl Into<Reason>) -> Eval {
    Eval::Unmet {
        fixable,
        why: why.into(),
    }
}

/// Options that depend on the policy set, not the control.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GrantOpts {
    /// Security-info registration: this `All`-resources policy's strength is superseded by
    /// an applying user-action policy's strength (evaluation.md §4.4).
    pub strength_superseded: bool,
    /// Sign-in frequency `everyTime`: "requires full reauthentication when the session is
    /// evaluated", but "we factor for five minutes of clock skew" (concept-session-lifetime.md,
    /// "Require reauthentication every time"). So an earlier MFA (a claim in the token,
    /// "previously satisfied") counts only if it is under five minutes old, which the log
    /// does not say: Unknown, where without every time it would be Met.
    pub every_time: bool,
}

const EVERY_TIME_WHY: &str = "sign-in frequency every time: an earlier MFA counts only within Entra's five-minute clock skew, and its time is not in the log";

/// Built-in MFA strength combinations (the `mfa` control is equivalent, §4.3).
fn mfa_combos() -> &'static [strength::Combo] {
    use std::sync::OnceLock;
    static C: OnceLock<Vec<strength::Combo>> = OnceLock::new();
    C.get_or_init(|| {
        crate::policy::builtin_strengths()
            .iter()
            .find(|s| s.id.as_deref() == Some(crate::policy::strengths::MFA_ID))
            .map(|s| CompiledStrength::from_graph(s, "built-in").0.combos)
            .unwrap_or_default()
    })
}

fn external_type(ctx: &Ctx) -> Option<Option<ExternalUserType>> {
    match ctx.externality() {
        Some(Externality::Internal) => Some(None),
        Some(Externality::External(t)) => Some(Some(t)),
        None => None,
    }
}

/// TAP counts for internal users and internal guests; external guests only with inbound
/// MFA trust (policy-model.md §14.4).
fn method_opts(ctx: &Ctx) -> MethodOpts {
    let tap_counts = match external_type(ctx) {
        Some(None) | Some(Some(ExternalUserType::InternalGuest)) => Some(true),
        Some(Some(_)) => match ctx.mfa_trust() {
            Some(true) => Some(true),
            Some(false) => Some(false),
            None => None,
        },
        None => None,
    };
    MethodOpts {
        tap_once: ctx.tap_usable_once(),
        tap_counts,
    }
}

/// An external user (not an internal guest) whose home tenant's MFA trust is not known
/// (no cross-tenant access settings, or no home tenant id).
fn is_external_trust_unknown(ctx: &Ctx) -> bool {
    matches!(external_type(ctx), Some(Some(t)) if t != ExternalUserType::InternalGuest)
        && ctx.mfa_trust().is_none()
}

fn is_external_without_trust(ctx: &Ctx) -> bool {
    matches!(external_type(ctx), Some(Some(t)) if t != ExternalUserType::InternalGuest)
        && ctx.mfa_trust() == Some(false)
}

fn eval_mfa(ctx: &Ctx, opts: GrantOpts) -> Eval {
    if ctx.is_legacy_client() {
        return unmet(false, "legacy client cannot satisfy mfa");
    }
    let claim = ctx.facts.mfa_claim == Some(true);
    if claim && !opts.every_time {
        return Eval::Met("session already holds an MFA claim".into());
    }
    let Some(methods) = ctx.facts.methods.as_deref() else {
        return Eval::Unknown("authentication methods not recorded".into());
    };
    let earlier_mfa = claim || methods.contains(&AuthMethod::PreviouslySatisfied);
    if methods.contains(&AuthMethod::ExternalMethod) {
        return Eval::Met("external authentication method satisfies mfa".into());
    }
    if methods.contains(&AuthMethod::PreviouslySatisfied) && !opts.every_time {
        return Eval::Met("MFA previously satisfied in the session".into());
    }
    let direct_connect_blocked = matches!(
        external_type(ctx),
        Some(Some(ExternalUserType::B2bDirectConnectUser))
    ) && ctx.mfa_trust() == Some(false);
    match methods_satisfy(mfa_combos(), methods, method_opts(ctx)) {
        Tri::Yes => Eval::Met("methods in the session form an MFA combination".into()),
        Tri::Unknown(r) => Eval::Unknown(r),
        Tri::No if direct_connect_blocked => unmet(
            false,
            "B2B direct connect user without inbound MFA trust cannot do MFA here",
        ),
        // Direct connect users have no account here to do MFA with: only the home tenant's
        // trusted MFA counts (entra-docs external-id/b2b-direct-connect-overview.md).
        Tri::No
            if matches!(
                external_type(ctx),
                Some(Some(ExternalUserType::B2bDirectConnectUser))
            ) && ctx.mfa_trust().is_none() =>
        {
            Eval::Unknown(
                "B2B direct connect user: MFA counts only if this tenant trusts the home \
                 tenant's MFA (cross-tenant access settings not supplied or silent)"
                    .into(),
            )
        }
        Tri::No if is_external_without_trust(ctx) => {
            unmet(true, "mfa in resource tenant (home-tenant MFA not trusted)")
        }
        Tri::No if opts.every_time && earlier_mfa => Eval::Unknown(EVERY_TIME_WHY.into()),
        Tri::No => unmet(true, "no MFA combination completed in this session"),
    }
}

fn eval_strength(s: &CompiledStrength, ctx: &Ctx, opts: GrantOpts) -> Eval {
    if opts.strength_superseded {
        return Eval::Met(format!(
            "strength `{}` superseded by the security-info registration policy's strength (registration interrupt mode, docs/coverage.md, registration)",
            s.name
        ).into());
    }
    if ctx.is_legacy_client() {
        return unmet(
            false,
            format!("legacy client cannot satisfy strength `{}`", s.name),
        );
    }
    let Some(methods) = ctx.facts.methods.as_deref() else {
        return Eval::Unknown("authentication methods not recorded".into());
    };
    let t = methods_satisfy(&s.combos, methods, method_opts(ctx));
    let unnamed_mfa =
        methods.contains(&AuthMethod::PreviouslySatisfied) || ctx.facts.mfa_claim == Some(true);
    match t {
        Tri::Yes => Eval::Met(format!("methods satisfy strength `{}`", s.name).into()),
        Tri::No | Tri::Unknown(_) if unnamed_mfa && opts.every_time => {
            Eval::Unknown(format!("strength `{}`: {EVERY_TIME_WHY}", s.name).into())
        }
        Tri::No | Tri::Unknown(_)
            if unnamed_mfa && s.id.eq_ignore_ascii_case(crate::policy::strengths::MFA_ID) =>
        {
            Eval::Met("earlier MFA in the session satisfies the built-in MFA strength".into())
        }
        Tri::No if unnamed_mfa => Eval::Unknown(
            format!(
                "an earlier, unnamed MFA method may satisfy strength `{}`",
                s.name
            )
            .into(),
        ),
        Tri::Unknown(r) => Eval::Unknown(format!("strength `{}`: {r}", s.name).into()),
        Tri::No => {
            let reachable_here =
                strength::reachable_with(&s.combos, strength::RESOURCE_TENANT_GUEST_MODES);
            if is_external_trust_unknown(ctx) && !reachable_here {
                // Challenged with inbound MFA trust, blocked without: which one is not known
                // (concept-authentication-strength-external-users.md).
                Eval::Unknown(
                    format!(
                        "strength `{}` is reachable for this external user only with inbound \
                         MFA trust (cross-tenant access settings not supplied or silent)",
                        s.name
                    )
                    .into(),
                )
            } else if is_external_without_trust(ctx) && !reachable_here {
                unmet(
                    false,
                    format!(
                        "strength `{}` is unreachable for a guest without inbound MFA trust",
                        s.name
                    ),
                )
            } else {
                unmet(
                    true,
                    format!("no combination of strength `{}` completed", s.name),
                )
            }
        }
    }
}

/// An external user's device state comes from the home tenant, and counts here only when
/// this tenant's cross-tenant access settings trust that claim ("Trust compliant devices" /
/// "Trust Microsoft Entra hybrid joined devices": entra-docs
/// external-id/cross-tenant-access-settings-b2b-collaboration.md, "Configure trust
/// settings"; microsoft-365 trust-conditional-access-from-other-organizations.md: without
/// trust, people outside the organization "will be blocked"). `None` = the claim stands
/// (not external, an internal guest, or trusted); otherwise the Eval that replaces Met.
fn external_device_trust(ctx: &Ctx, trusted: Option<bool>) -> Option<Eval> {
    if !matches!(external_type(ctx), Some(Some(t)) if t != ExternalUserType::InternalGuest) {
        return None;
    }
    match trusted {
        Some(true) => None,
        Some(false) => Some(unmet(
            false,
            "external user's device claim from the home tenant is not trusted (cross-tenant inbound trust)",
        )),
        None => Some(Eval::Unknown(
            "external user's device claim counts only if this tenant trusts the home tenant's \
             device claims (cross-tenant access settings not supplied or silent)"
                .into(),
        )),
    }
}

fn eval_compliant(ctx: &Ctx) -> Eval {
    let verdict = device_compliance(ctx);
    if matches!(verdict, Eval::Met(_)) {
        return verdict;
    }
    match bootstrap::compliant_device(ctx) {
        Exemption::Exempt(why) => Eval::Met(why.into()),
        Exemption::Undecided(why) => Eval::Unknown(why.into()),
        Exemption::None => verdict,
    }
}

/// The compliant-device requirement from the device's own state.
fn device_compliance(ctx: &Ctx) -> Eval {
    if ctx.facts.original_transfer_method == Some(TransferMethod::DeviceCodeFlow) {
        return unmet(
            false,
            "device-code flow cannot satisfy a compliant-device requirement",
        );
    }
    match ctx.device_compliant() {
        Some(true) => match external_device_trust(ctx, ctx.compliant_device_trust()) {
            Some(refused) => refused,
            None => Eval::Met("device is marked compliant".into()),
        },
        Some(false) if ctx.device_registered() == Some(false) => {
            unmet(false, "device is not registered (cannot be compliant)")
        }
        Some(false) => unmet(false, "device is not compliant"),
        None => Eval::Unknown("device compliance unknown".into()),
    }
}

fn eval_domain_joined(ctx: &Ctx) -> Eval {
    if ctx.facts.original_transfer_method == Some(TransferMethod::DeviceCodeFlow) {
        return unmet(
            false,
            "device-code flow cannot satisfy a hybrid-joined requirement",
        );
    }
    if ctx.device_registered() == Some(false) {
        return unmet(false, "device is not registered (cannot be hybrid joined)");
    }
    match ctx.device_trust() {
        Some(TrustType::ServerAd) => match external_device_trust(ctx, ctx.hybrid_device_trust()) {
            Some(refused) => refused,
            None => Eval::Met("device is hybrid joined".into()),
        },
        Some(_) => unmet(false, "device is not hybrid joined"),
        None => Eval::Unknown("device join type unknown".into()),
    }
}

fn eval_control(c: &CControl, ctx: &Ctx, opts: GrantOpts) -> Eval {
    match c {
        CControl::Mfa => eval_mfa(ctx, opts),
        CControl::Strength(s) => eval_strength(s, ctx, opts),
        CControl::MissingStrength(id) => {
            if opts.strength_superseded {
                Eval::Met(format!("strength `{id}` superseded (registration)").into())
            } else {
                Eval::Unknown(
                    format!("authentication strength `{id}` not found in tenant data").into(),
                )
            }
        }
        CControl::CompliantDevice => eval_compliant(ctx),
        CControl::DomainJoinedDevice => eval_domain_joined(ctx),
        CControl::ApprovedApplication => {
            Eval::Unknown("approved client app state is not in sign-in logs".into())
        }
        CControl::CompliantApplication => {
            Eval::Unknown("app protection policy state is not in sign-in logs".into())
        }
        CControl::PasswordChange if ctx.is_legacy_client() => {
            unmet(false, "legacy client cannot change the password")
        }
        // A password change / risk remediation is always a new interactive step.
        CControl::PasswordChange => unmet(true, "user must change the password after MFA"),
        CControl::RiskRemediation if ctx.is_legacy_client() => {
            unmet(false, "legacy client cannot remediate risk")
        }
        CControl::RiskRemediation => unmet(true, "user must remediate risk"),
        CControl::TermsOfUse(id) => match ctx.tou_accepted() {
            Some(list) if list.iter().any(|t| t.trim().eq_ignore_ascii_case(id)) => {
                Eval::Met(format!("terms of use `{id}` accepted").into())
            }
            Some(_) if ctx.is_legacy_client() => {
                unmet(false, "legacy client cannot accept terms of use")
            }
            Some(_) => unmet(true, format!("terms of use `{id}` not accepted")),
            None => Eval::Unknown("terms of use acceptance unknown".into()),
        },
        CControl::Custom(id) => {
            Eval::Unknown(format!("custom control `{id}`: external provider, not in logs").into())
        }
        CControl::Unrecognised(v) => {
            Eval::Unknown(format!("grant control `{v}` cannot be evaluated").into())
        }
    }
}

/// Verdict of a demand with AND/OR three-valued combination (§4.2); `notes` keeps the
/// evidence for each control (written out as text only when shown: `Notes::lines`).
pub(crate) fn evaluate(d: &Demand, ctx: &Ctx, opts: GrantOpts, notes: &mut Notes) -> GrantResult {
    let (all, controls) = match d {
        Demand::Block => return GrantResult::Block,
        Demand::SessionOnly => return GrantResult::SessionOnly,
        Demand::Grant { all, controls } => (*all, controls),
    };
    let evals: Vec<(Control, Eval)> = controls
        .iter()
        .map(|c| (c.public(), eval_control(c, ctx, opts)))
        .collect();
    let result = combine(all, &evals);
    notes.controls = evals;
    result
}

/// The AND/OR three-valued combination of the controls' verdicts (§4.2).
fn combine(all: bool, evals: &[(Control, Eval)]) -> GrantResult {
    let met = evals
        .iter()
        .filter(|(_, e)| matches!(e, Eval::Met(_)))
        .count();
    let unmet_list: Vec<(&Control, bool)> = evals
        .iter()
        .filter_map(|(c, e)| match e {
            Eval::Unmet { fixable, .. } => Some((c, *fixable)),
            _ => None,
        })
        .collect();
    let unknown_reason = || {
        evals
            .iter()
            .filter_map(|(c, e)| match e {
                Eval::Unknown(r) => Some(format!("{c}: {r}")),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if evals.is_empty() {
        return GrantResult::Met;
    }
    if all {
        if !unmet_list.is_empty() {
            return GrantResult::Unmet {
                missing: unmet_list.iter().map(|(c, _)| (*c).clone()).collect(),
                fixable: unmet_list.iter().all(|(_, f)| *f),
            };
        }
        if met == evals.len() {
            return GrantResult::Met;
        }
    } else {
        if met > 0 {
            return GrantResult::Met;
        }
        if unmet_list.len() == evals.len() {
            // Under OR any one control would do: list what a prompt could ask for when
            // something is fixable, else everything that is missing.
            let fixable = unmet_list.iter().any(|(_, f)| *f);
            return GrantResult::Unmet {
                missing: unmet_list
                    .iter()
                    .filter(|(_, f)| *f || !fixable)
                    .map(|(c, _)| (*c).clone())
                    .collect(),
                fixable,
            };
        }
    }
    GrantResult::Unknown {
        reason: unknown_reason(),
    }
}
