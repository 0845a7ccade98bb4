//! Client app types (evaluation.md §3.7). `all`, `[]` or missing = every client.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::model::{ClientAppType, Platform, Tri};

#[derive(Debug, Default, PartialEq)]
pub struct ClientAppsCond {
    listed: Vec<ClientAppType>,
    /// `easSupported`: Exchange ActiveSync on supported platforms only (API-only value).
    eas_supported: bool,
    unreadable: Vec<String>,
}

pub(crate) fn compile(types: &[String], cx: &mut CompileCx) -> Option<ClientAppsCond> {
    // [prac: ca-simulator] an empty list is treated as all (test-vectors C-04).
    if types.is_empty() || types.iter().any(|t| is(t, "all")) {
        return None;
    }
    let mut c = ClientAppsCond::default();
    for t in types {
        if is(t, "browser") {
            c.listed.push(ClientAppType::Browser);
        } else if is(t, "mobileAppsAndDesktopClients") {
            c.listed.push(ClientAppType::MobileAppsAndDesktopClients);
        } else if is(t, "exchangeActiveSync") || is(t, "easUnsupported") {
            c.listed.push(ClientAppType::ExchangeActiveSync);
        } else if is(t, "easSupported") {
            c.eas_supported = true;
        } else if is(t, "other") {
            c.listed.push(ClientAppType::Other);
        } else {
            cx.issue(format!(
                "unknown client app type `{t}`: evaluated as Unknown"
            ));
            c.unreadable.push(t.clone());
        }
    }
    Some(c)
}

impl ClientAppsCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        let Some(app) = ctx.facts.client_app else {
            return Check::Unknown("client app type unknown".into());
        };
        let mut t = Tri::from_bool(self.listed.contains(&app));
        if self.eas_supported && app == ClientAppType::ExchangeActiveSync {
            t = t.or(match ctx.facts.platform {
                Some(Platform::Unsupported) => Tri::No,
                Some(_) => Tri::Yes,
                None => Tri::unknown("EAS platform unknown (easSupported)"),
            });
        }
        if !self.unreadable.is_empty() {
            t = t.or(Tri::unknown(format!(
                "unknown client app type(s) {}",
                self.unreadable.join(", ")
            )));
        }
        Check::from_tri(t, || "client app type not targeted".into())
    }
}
