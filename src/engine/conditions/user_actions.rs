//! User actions (evaluation.md §3.4c): a policy with `includeUserActions` applies **only**
//! to events performing one of those actions, never to ordinary resource access.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::model::UserAction;
use crate::policy::Applications;

#[derive(Debug, PartialEq)]
pub struct UserActionsCond {
    actions: Vec<UserAction>,
    /// Entries careplay does not recognise: they can never be matched with certainty.
    unrecognised: Vec<String>,
}

pub(crate) fn compile(a: Option<&Applications>, cx: &mut CompileCx) -> Option<UserActionsCond> {
    let a = a?;
    if a.include_user_actions.is_empty() {
        return None;
    }
    let mut c = UserActionsCond {
        actions: vec![],
        unrecognised: vec![],
    };
    for s in &a.include_user_actions {
        match UserAction::parse(s) {
            Some(x) => c.actions.push(x),
            None => {
                cx.issue(format!(
                    "unrecognised user action `{s}`: evaluated as Unknown"
                ));
                c.unrecognised.push(s.clone());
            }
        }
    }
    Some(c)
}

impl UserActionsCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match ctx.facts.user_action {
            Some(Some(a)) if self.actions.contains(&a) => Check::Yes,
            Some(Some(a)) if self.unrecognised.is_empty() => {
                Check::No(format!("event performs {}, not a targeted user action", a.urn()).into())
            }
            Some(None) if self.unrecognised.is_empty() => {
                Check::No("not a user-action event (ordinary resource access)".into())
            }
            Some(_) => Check::Unknown(
                format!(
                    "policy targets unrecognised user action(s) {}",
                    self.unrecognised.join(", ")
                )
                .into(),
            ),
            None => {
                // Without the ACR list only registration-capable resources are ambiguous.
                let elsewhere = ctx.registration_resource() == Some(false);
                if elsewhere && self.unrecognised.is_empty() {
                    Check::No(
                        "not a user-action event (resource is not a registration endpoint)".into(),
                    )
                } else {
                    Check::Unknown(
                        "user action not identifiable (no ACR list in the export)".into(),
                    )
                }
            }
        }
    }
}
