//! Device platforms (evaluation.md §3.6). `all` matches every platform including
//! recognised-but-unsupported ones; a listed value matches only that platform; exclude wins.
//! A missing platform (no OS, no user agent) is Unknown, not "unsupported".

use super::{include_exclude, Check};
use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::model::{Platform, Tri};
use crate::policy::Platforms;

#[derive(Debug, Default, PartialEq)]
struct Side {
    all: bool,
    listed: Vec<Platform>,
    unreadable: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct PlatformCond {
    include: Side,
    exclude: Side,
}

fn parse(s: &str) -> Option<Platform> {
    const NAMES: [(&str, Platform); 6] = [
        ("android", Platform::Android),
        ("iOS", Platform::Ios),
        ("windows", Platform::Windows),
        ("windowsPhone", Platform::WindowsPhone),
        ("macOS", Platform::MacOs),
        ("linux", Platform::Linux),
    ];
    NAMES.iter().find(|(n, _)| is(s, n)).map(|(_, p)| *p)
}

fn side(list: &[String], cx: &mut CompileCx) -> Side {
    let mut s = Side::default();
    for v in list {
        if is(v, "all") {
            s.all = true;
        } else if let Some(p) = parse(v) {
            s.listed.push(p);
        } else {
            cx.issue(format!(
                "unknown device platform `{v}`: evaluated as Unknown"
            ));
            s.unreadable.push(v.clone());
        }
    }
    s
}

pub(crate) fn compile(p: Option<&Platforms>, cx: &mut CompileCx) -> Option<PlatformCond> {
    let p = p?;
    if p.include_platforms.is_empty() && p.exclude_platforms.is_empty() {
        return None;
    }
    let mut include = side(&p.include_platforms, cx);
    if p.include_platforms.is_empty() {
        // [prac: CAPSlock] excludes only ⇒ include all.
        include.all = true;
    }
    Some(PlatformCond {
        include,
        exclude: side(&p.exclude_platforms, cx),
    })
}

impl Side {
    fn matches(&self, p: Option<Platform>) -> Tri {
        if self.all {
            return Tri::Yes;
        }
        let Some(p) = p else {
            if self.listed.is_empty() && self.unreadable.is_empty() {
                return Tri::No;
            }
            return Tri::unknown("device platform unknown (no OS and no user agent)");
        };
        if self.listed.contains(&p) {
            Tri::Yes
        } else if !self.unreadable.is_empty() {
            Tri::unknown(format!(
                "unknown platform value(s) {}",
                self.unreadable.join(", ")
            ))
        } else {
            Tri::No
        }
    }
}

impl PlatformCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        let p = ctx.facts.platform;
        include_exclude!(
            self.include.matches(p),
            self.exclude.matches(p),
            "device platform",
        )
    }
}
