//! What each cause of an undecided event means, and how a user can decide it: the words of
//! the report's "could not be decided" line and table. Causes are condition names
//! (`engine::ConditionName::as_str`) plus `grant`, `interaction` and `sessionControl`
//! (`engine::undecided`).

/// (what is missing, how to decide it) for a cause name. The fix is `None` where no input
/// careplay reads can carry the fact.
pub fn describe(cause: &str) -> (&'static str, Option<&'static str>) {
    match cause {
        "userRisk" => (
            "user risk is not in sign-in logs",
            Some("pass --assume-user-risk LEVEL, or add riskLevel to the users in directory.json"),
        ),
        "signInRisk" => (
            "sign-in risk is not in this export",
            Some("export from Graph beta or Log Analytics (riskLevelDuringSignIn; needs Entra ID P2)"),
        ),
        "servicePrincipalRisk" => (
            "service principal risk is not in sign-in logs",
            Some("add riskLevel to the service principals in directory.json"),
        ),
        "insiderRisk" => ("insider risk is not in sign-in logs", None),
        "users" => (
            "user facts (groups, roles, guest type, home tenant, or whether the caller is an agent) are missing",
            Some("add the users, their groups and roles to directory.json; use a Graph beta export for the agent field"),
        ),
        "workloadIdentities" => (
            "service principal facts are missing",
            Some("add the service principals to directory.json"),
        ),
        "location" => (
            "the network location could not be decided (no IP, or a named location missing)",
            Some("check namedLocations.json and the logs' ipAddress column"),
        ),
        "devices" => (
            "device facts (compliance, join type, filter attributes) are missing",
            Some("use an export with deviceDetail, or add the devices to directory.json"),
        ),
        "devicePlatform" => (
            "the device platform is not in the log",
            Some("use an export with deviceDetail.operatingSystem or userAgent"),
        ),
        "clientApps" => (
            "the client app type is not in the log",
            Some("use an export with clientAppUsed"),
        ),
        "authenticationFlow" => (
            "the authentication flow is not in the log",
            Some("export from Graph beta (authenticationProtocol, originalTransferMethod)"),
        ),
        "application" => (
            "the application could not be placed (a bundle member, a dependency or baseline scopes)",
            Some(
                "add the tenant's service principals to directory.json; for baseline-scope \
                 requests, set baselineScopes in tenantSettings.json",
            ),
        ),
        "userActions" => ("the user action is not in the log", None),
        "authenticationContext" => ("the authentication context is not in the log", None),
        crate::engine::undecided::GRANT => (
            "whether the grant controls are met is not in the log",
            Some("use an export with authenticationDetails and deviceDetail; for guests, add crossTenantAccess.json"),
        ),
        crate::engine::undecided::SESSION => (
            "whether the sign-in session is device-bound (token protection) is not in the log",
            Some("export from Graph beta (tokenProtectionStatusDetails)"),
        ),
        crate::engine::undecided::INTERACTION => (
            "whether the request can answer a challenge is not in the log",
            Some("use an export with the sign-in event type and clientAppUsed"),
        ),
        _ => ("a fact the evaluator needs is missing", None),
    }
}
