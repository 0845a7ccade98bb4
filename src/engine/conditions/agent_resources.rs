//! "All agent resources" (`AllAgentIdResources` in `includeApplications`): token requests
//! whose audience is an agent identity or agent identity blueprint
//! (concept-conditional-access-cloud-apps.md; howto-target-agent-identities.md "Target
//! resources"). A sign-in log names the resource by app id only, not whether it is an
//! agent, so this target is Unknown unless the policy's other resources already match.
//! The keyword is taken out of the list the applications condition sees (it is not an app
//! id) and evaluated here, OR-ed with what is left.

use super::applications::{self, ApplicationCond};
use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::policy::Applications;

pub const KEYWORD: &str = "AllAgentIdResources";

#[derive(Debug, PartialEq)]
pub struct AgentResourcesCond {
    /// The policy's other resources (include list without the keyword), if any.
    others: Option<ApplicationCond>,
}

/// Split the keyword off: `(applications for the applications condition, this condition)`.
/// Without the keyword, the applications are returned unchanged.
pub(crate) fn split(
    a: Option<&Applications>,
    cx: &mut CompileCx,
) -> (Option<ApplicationCond>, Option<AgentResourcesCond>) {
    let Some(apps) = a else {
        return (applications::compile(a, cx), None);
    };
    if !apps.include_applications.iter().any(|x| is(x, KEYWORD)) {
        return (applications::compile(a, cx), None);
    }
    if apps.exclude_applications.iter().any(|x| is(x, KEYWORD)) {
        cx.issue(format!(
            "`{KEYWORD}` in excludeApplications is not evaluated"
        ));
    }
    let mut rest = apps.clone();
    rest.include_applications.retain(|x| !is(x, KEYWORD));
    let others = if rest.include_applications.is_empty() {
        None
    } else {
        applications::compile(Some(&rest), cx)
    };
    (None, Some(AgentResourcesCond { others }))
}

impl AgentResourcesCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        if let Some(Check::Yes) = self.others.as_ref().map(|o| o.eval(ctx)) {
            return Check::Yes;
        }
        Check::Unknown(
            "whether the resource is an agent identity or blueprint (\"All agent resources\") \
             is not in the log"
                .into(),
        )
    }
}
