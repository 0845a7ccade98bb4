//! Authentication flows (evaluation.md §3.10). Protocol tracking: a session that used
//! device code flow or authentication transfer counts as that flow for every later token,
//! so the event's `originalTransferMethod` is what is matched.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::model::TransferMethod;
use crate::policy::AuthenticationFlows;

#[derive(Debug, PartialEq)]
pub struct AuthFlowCond {
    methods: Vec<TransferMethod>,
    unreadable: Vec<String>,
}

pub(crate) fn compile(f: Option<&AuthenticationFlows>, cx: &mut CompileCx) -> Option<AuthFlowCond> {
    let f = f?;
    let mut c = AuthFlowCond {
        methods: vec![],
        unreadable: vec![],
    };
    for m in &f.transfer_methods.0 {
        if is(m, "deviceCodeFlow") {
            c.methods.push(TransferMethod::DeviceCodeFlow);
        } else if is(m, "authenticationTransfer") {
            c.methods.push(TransferMethod::AuthenticationTransfer);
        } else if is(m, "none") {
        } else {
            cx.issue(format!(
                "transferMethods: unknown value `{m}`: evaluated as Unknown"
            ));
            c.unreadable.push(m.clone());
        }
    }
    if c.methods.is_empty() && c.unreadable.is_empty() {
        return None;
    }
    Some(c)
}

impl AuthFlowCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match ctx.facts.original_transfer_method {
            None => Check::Unknown("authentication flow not recorded (v1.0 export)".into()),
            Some(m) if self.methods.contains(&m) => Check::Yes,
            Some(_) if !self.unreadable.is_empty() => {
                Check::Unknown("transferMethods has unknown values".into())
            }
            Some(m) => Check::No(format!("transfer method {m:?} not targeted").into()),
        }
    }
}
