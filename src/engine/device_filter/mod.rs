//! Filter rules (evaluation.md §3.8; policy-model.md §10c): own lexer, parser and
//! evaluator. Device filters evaluate against the device; application and
//! service-principal filters use custom security attributes, which sign-in exports do not
//! carry, so they parse (errors are reported) but evaluate to Unknown.

pub mod eval;
pub mod lex;
pub mod parse;

use crate::engine::compile::CompileCx;
use crate::engine::context::Ctx;
use crate::engine::ids::is;
use crate::model::Tri;
use crate::policy::Filter;
use eval::DeviceProp;
use parse::Expr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterMode {
    Include,
    Exclude,
}

/// A compiled filter. `rule = Err(..)` when the rule could not be used: it evaluates to
/// Unknown (and a `CompileIssue` says why).
#[derive(Debug, PartialEq)]
pub struct RuleFilter {
    pub mode: FilterMode,
    rule: Result<Expr, String>,
}

fn mode_of(f: &Filter, what: &str, cx: &mut CompileCx) -> Option<FilterMode> {
    match f.mode.as_deref() {
        Some(m) if is(m, "include") => Some(FilterMode::Include),
        Some(m) if is(m, "exclude") => Some(FilterMode::Exclude),
        other => {
            cx.issue(format!(
                "{what}: mode must be `include` or `exclude`, found {:?}; filter evaluated as Unknown",
                other
            ));
            None
        }
    }
}

/// Check every comparison names a device property with an operator the filters doc lists.
fn validate_device(e: &Expr) -> Result<(), String> {
    match e {
        Expr::Or(v) | Expr::And(v) => v.iter().try_for_each(validate_device),
        Expr::Not(i) => validate_device(i),
        Expr::Cmp { property, op, .. } => {
            let Some((ns, name)) = property.split_once('.') else {
                return Err(format!(
                    "`{property}` is not a `device.<property>` reference"
                ));
            };
            if !ns.eq_ignore_ascii_case("device") {
                return Err(format!(
                    "`{property}` is not a `device.<property>` reference"
                ));
            }
            match DeviceProp::parse(name) {
                None => Err(format!("unknown device property `{property}`")),
                Some(p) if !p.allows(*op) => Err(format!(
                    "operator {} is not supported for `{property}`",
                    op.name()
                )),
                Some(_) => Ok(()),
            }
        }
    }
}

/// Parse a device-filter rule as the evaluator does: grammar, then every property and
/// operator checked against the filters doc. `policies check` / `lint` (V10) call this, so
/// a rule they pass is one the evaluator can use.
pub fn parse_device_rule(rule: &str) -> Result<Expr, String> {
    parse::parse(rule)
        .map_err(|e| e.message)
        .and_then(|e| validate_device(&e).map(|_| e))
}

/// Parse an application / service-principal filter rule as the evaluator does (the
/// grammar only: custom security attribute names are tenant-defined).
pub fn parse_attribute_rule(rule: &str) -> Result<Expr, String> {
    parse::parse(rule).map_err(|e| e.message)
}

impl RuleFilter {
    pub(crate) fn compile_device_filter(f: &Filter, cx: &mut CompileCx) -> Option<RuleFilter> {
        let mode = mode_of(f, "deviceFilter", cx).unwrap_or(FilterMode::Include);
        let rule = match f.rule.as_deref() {
            None => Err("deviceFilter has no rule".to_string()),
            Some(r) => parse_device_rule(r),
        };
        if let Err(m) = &rule {
            cx.issue(format!(
                "deviceFilter rule rejected (V10): {m}; the devices condition is Unknown"
            ));
        }
        let rule = if f.mode.is_some() && mode_of_ok(f) {
            rule
        } else {
            Err("deviceFilter mode unreadable".into())
        };
        Some(RuleFilter { mode, rule })
    }

    pub(crate) fn compile_attribute_filter(
        f: &Filter,
        what: &str,
        cx: &mut CompileCx,
    ) -> Option<RuleFilter> {
        let mode = mode_of(f, what, cx).unwrap_or(FilterMode::Include);
        let rule = match f.rule.as_deref() {
            None => Err(format!("{what} has no rule")),
            Some(r) => parse_attribute_rule(r),
        };
        if let Err(m) = &rule {
            cx.issue(format!("{what} rule rejected (V10): {m}"));
        }
        Some(RuleFilter { mode, rule })
    }

    /// The rule's truth for the event's device.
    pub(crate) fn eval_device(&self, ctx: &Ctx) -> Tri {
        match &self.rule {
            Ok(e) => eval::eval_device(e, ctx),
            Err(m) => Tri::unknown(format!("device filter unusable: {m}")),
        }
    }

    /// Custom security attributes are not in sign-in exports.
    pub(crate) fn eval_attributes(&self) -> Tri {
        match &self.rule {
            Ok(_) => Tri::unknown("custom security attributes are not in sign-in exports"),
            Err(m) => Tri::unknown(format!("filter unusable: {m}")),
        }
    }
}

fn mode_of_ok(f: &Filter) -> bool {
    f.mode
        .as_deref()
        .is_some_and(|m| is(m, "include") || is(m, "exclude"))
}
