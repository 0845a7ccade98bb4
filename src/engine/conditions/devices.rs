//! Filter for devices (evaluation.md §3.8 mode table):
//!
//! | mode    | rule true | rule false | rule Unknown |
//! |---------|-----------|------------|--------------|
//! | include | Yes       | No         | Unknown      |
//! | exclude | No        | Yes        | Unknown      |

use super::Check;
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::device_filter::{FilterMode, RuleFilter};
use crate::model::Tri;
use crate::policy::Devices;

#[derive(Debug, PartialEq)]
pub struct DeviceFilterCond(RuleFilter);

pub(crate) fn compile(d: Option<&Devices>, cx: &mut CompileCx) -> Option<DeviceFilterCond> {
    let f = d?.device_filter.as_ref()?;
    RuleFilter::compile_device_filter(f, cx).map(DeviceFilterCond)
}

impl DeviceFilterCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        let rule = self.0.eval_device(ctx);
        match (self.0.mode, rule) {
            (_, Tri::Unknown(r)) => Check::Unknown(r),
            (FilterMode::Include, Tri::Yes) | (FilterMode::Exclude, Tri::No) => Check::Yes,
            (FilterMode::Include, Tri::No) => {
                Check::No("device does not match the include-mode device filter".into())
            }
            (FilterMode::Exclude, Tri::Yes) => {
                Check::No("device matches the exclude-mode device filter".into())
            }
        }
    }
}
