//! Legacy device state (evaluation.md §3.11; beta `deviceStates`, deprecated):
//! `includeStates = [All]`, `excludeStates ⊆ {Compliant, DomainJoined}` — the policy does
//! not apply to compliant and/or hybrid-joined devices.

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::model::{Tri, TrustType};
use crate::policy::{DeviceStates, Devices};

#[derive(Debug, PartialEq)]
pub struct DeviceStatesCond {
    exclude_compliant: bool,
    exclude_domain_joined: bool,
}

pub(crate) fn compile(
    s: Option<&DeviceStates>,
    d: Option<&Devices>,
    cx: &mut CompileCx,
) -> Option<DeviceStatesCond> {
    // Both the beta `deviceStates` object and the older `devices.*DeviceStates` lists.
    let mut exclude: Vec<&String> = vec![];
    let mut any = false;
    if let Some(s) = s {
        any |= !s.include_states.is_empty() || !s.exclude_states.is_empty();
        exclude.extend(s.exclude_states.iter());
    }
    if let Some(d) = d {
        any |= !d.include_device_states.is_empty() || !d.exclude_device_states.is_empty();
        exclude.extend(d.exclude_device_states.iter());
        if d.device_filter.is_some() && any {
            cx.issue("device state and filter for devices cannot be used together (V9); both are evaluated");
        }
    }
    if !any {
        return None;
    }
    let mut c = DeviceStatesCond {
        exclude_compliant: false,
        exclude_domain_joined: false,
    };
    for e in exclude {
        if is(e, "Compliant") {
            c.exclude_compliant = true;
        } else if is(e, "DomainJoined") {
            c.exclude_domain_joined = true;
        } else {
            cx.issue(format!("unknown excluded device state `{e}` ignored"));
        }
    }
    Some(c)
}

impl DeviceStatesCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        let mut excluded = vec![];
        if self.exclude_compliant {
            excluded.push(match ctx.device_compliant() {
                Some(b) => Tri::from_bool(b),
                None => Tri::unknown("device compliance unknown"),
            });
        }
        if self.exclude_domain_joined {
            excluded.push(match (ctx.device_registered(), ctx.device_trust()) {
                (Some(false), _) => Tri::No,
                (_, Some(t)) => Tri::from_bool(t == TrustType::ServerAd),
                _ => Tri::unknown("device join type unknown"),
            });
        }
        match Tri::any(excluded) {
            Tri::Yes => Check::No("device state excluded (compliant or hybrid joined)".into()),
            Tri::No => Check::Yes,
            Tri::Unknown(r) => Check::Unknown(r),
        }
    }
}
