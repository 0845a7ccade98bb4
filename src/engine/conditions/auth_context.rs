//! Authentication context (evaluation.md §3.4d): applies when the resource requested one
//! of the policy's `c1`…`c99` contexts.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::IdSet;
use crate::policy::Applications;

#[derive(Debug, PartialEq)]
pub struct AuthContextCond {
    ids: IdSet,
}

pub(crate) fn compile(a: Option<&Applications>, _cx: &mut CompileCx) -> Option<AuthContextCond> {
    let a = a?;
    if a.include_authentication_context_class_references.is_empty() {
        return None;
    }
    let mut ids = IdSet::default();
    a.include_authentication_context_class_references
        .iter()
        .for_each(|c| ids.insert(c));
    Some(AuthContextCond { ids })
}

impl AuthContextCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match &ctx.facts.auth_contexts {
            None => Check::Unknown("authentication contexts requested are not recorded".into()),
            Some(list) if list.iter().any(|c| self.ids.contains(c)) => Check::Yes,
            Some(_) => Check::No("the targeted authentication context was not requested".into()),
        }
    }
}
