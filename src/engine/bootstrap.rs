//! Sign-ins that a compliant-device grant does not block, so that a device can get to the
//! point of being compliant ("bootstrap" exemptions).
//!
//! - Intune enrollment: "The **Require device to be marked as compliant** control doesn't
//!   block Intune enrollment" (entra-docs conditional-access/policy-all-users-device-
//!   compliance.md, 2025-04-01, note under "Create a Conditional Access policy"). Enrollment
//!   signs in to the resource *Microsoft Intune Enrollment*.
//! - The Intune web Company Portal: an earlier revision of the same note added "and the
//!   access to the Microsoft Intune Web Company Portal application"; the current revision
//!   dropped it. Documented once and then withdrawn is not a rule careplay can apply either
//!   way, so the requirement's verdict there is Unknown.
//! - Microsoft Authenticator: the control "doesn't block Microsoft Authenticator app access
//!   to the `UserAuthenticationMethod.Read` scope", but `UserAuthenticationMethod.ReadWrite`
//!   does not bypass it (concept-conditional-access-grant.md, 2026-03-24, "Require device to
//!   be marked as compliant"). Scopes are not in sign-in logs, so an Authenticator request
//!   to Microsoft Graph from a device that is not compliant is Unknown.
//!
//! Only the compliant-device control is exempt: a policy that also demands MFA still
//! demands it, and a hybrid-join requirement is not mentioned by either doc.

use super::context::Ctx;
use super::ids::is;

/// Resource *Microsoft Intune Enrollment*.
const INTUNE_ENROLLMENT: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";
/// Client and resource *Microsoft Intune Web Company Portal*.
const INTUNE_WEB_COMPANY_PORTAL: &str = "74bcdadc-2fdc-4bb3-8459-76d06952a0e9";
/// Client *Microsoft Authenticator App*.
const AUTHENTICATOR: &str = "4813382a-8fa7-425e-ab75-3b753aab3abb";
/// Resource *Microsoft Graph*.
const MICROSOFT_GRAPH: &str = "00000003-0000-0000-c000-000000000000";

/// What a compliant-device requirement that the device does not meet (or may not meet)
/// becomes for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exemption {
    /// The requirement does not block this request.
    Exempt(&'static str),
    /// It may or may not: the fact that decides is not in the log.
    Undecided(&'static str),
    /// No exemption applies.
    None,
}

/// The exemption for this request, from its client and resource ids.
pub(crate) fn compliant_device(ctx: &Ctx) -> Exemption {
    let resource = |want: &str| {
        ctx.facts
            .resource_id
            .as_deref()
            .is_some_and(|r| is(r, want))
    };
    let client = |want: &str| ctx.facts.app_id.as_deref().is_some_and(|a| is(a, want));
    if resource(INTUNE_ENROLLMENT) {
        return Exemption::Exempt(
            "the compliant-device requirement does not block Intune enrollment",
        );
    }
    if resource(INTUNE_WEB_COMPANY_PORTAL) || client(INTUNE_WEB_COMPANY_PORTAL) {
        return Exemption::Undecided(
            "whether the compliant-device requirement blocks the Intune web Company Portal \
             is not documented (an earlier revision of Microsoft's doc exempted it)",
        );
    }
    if client(AUTHENTICATOR) && resource(MICROSOFT_GRAPH) {
        return Exemption::Undecided(
            "Microsoft Authenticator reading authentication methods is not blocked by the \
             compliant-device requirement; the requested scope is not in the log",
        );
    }
    Exemption::None
}
