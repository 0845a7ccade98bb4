//! Findings of validation (policy-model.md §15 V1–V16) and lint rules, and the rule
//! interface both use.

use super::directory::Directory;
use super::load::LoadedPolicy;
use super::model::{AuthenticationStrength, NamedLocation, Policy};
use crate::diag::Origin;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One problem found in one policy (or named location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `V1`…`V16` (policy-model.md §15) or `L1`… (careplay lint rules).
    pub code: &'static str,
    /// Kebab-case rule name, e.g. `block-is-exclusive`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Display name (or id) of the policy / location.
    pub subject: String,
    /// File, line and JSON path of the offending value.
    pub origin: Origin,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} {} [{}] {:?}: {}",
            self.origin, self.severity, self.code, self.rule, self.subject, self.message
        )
    }
}

/// Tenant data the reference check (V12) and some lint rules use. `None` = not supplied:
/// the check for that kind is skipped, never guessed.
#[derive(Debug, Clone, Default)]
pub struct TenantData {
    pub locations: Option<Vec<NamedLocation>>,
    /// Tenant strengths (built-ins are always known in addition).
    pub strengths: Option<Vec<AuthenticationStrength>>,
    pub directory: Option<Directory>,
}

impl TenantData {
    /// The strength a policy refers to: the embedded object when it lists combinations,
    /// else the tenant's, else a built-in (policy-model.md §11, §14.2).
    pub fn resolve_strength<'a>(
        &'a self,
        embedded: &'a AuthenticationStrength,
        builtins: &'a [AuthenticationStrength],
    ) -> Option<&'a AuthenticationStrength> {
        if !embedded.allowed_combinations.is_empty() {
            return Some(embedded);
        }
        let id = embedded.id.as_deref()?.trim();
        let same = |s: &&AuthenticationStrength| {
            s.id.as_deref()
                .is_some_and(|i| i.trim().eq_ignore_ascii_case(id))
        };
        self.strengths
            .as_deref()
            .and_then(|t| t.iter().find(same))
            .or_else(|| builtins.iter().find(same))
    }
}

/// A problem a rule found, relative to the policy: `path` is appended to the policy's
/// JSON path (e.g. `.grantControls.builtInControls`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub path: String,
    pub message: String,
}

impl Hit {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Hit {
        Hit {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// One validation or lint rule over one policy.
pub trait Rule: Sync {
    fn code(&self) -> &'static str;
    fn name(&self) -> &'static str;
    fn severity(&self) -> Severity;
    /// One line for `--help`-style listings.
    fn summary(&self) -> &'static str;
    fn check(&self, policy: &Policy, tenant: &TenantData) -> Vec<Hit>;
}

/// Run `rules` over every policy; findings ordered by policy, then rule order.
pub fn run_rules(
    rules: &[&dyn Rule],
    policies: &[LoadedPolicy],
    tenant: &TenantData,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for lp in policies {
        let base = lp
            .origin
            .json_path
            .clone()
            .unwrap_or_else(|| "$".to_string());
        for rule in rules {
            for hit in rule.check(&lp.policy, tenant) {
                out.push(Finding {
                    code: rule.code(),
                    rule: rule.name(),
                    severity: rule.severity(),
                    subject: lp.label(),
                    origin: Origin {
                        json_path: Some(format!("{base}{}", hit.path)),
                        ..lp.origin.clone()
                    },
                    message: hit.message,
                });
            }
        }
    }
    out
}

/// Declare a unit-struct [`Rule`]:
/// `define_rule!(Name, "V2", "block-is-exclusive", Severity::Error, "summary", |p, t| hits);`
macro_rules! define_rule {
    ($ty:ident, $code:literal, $name:literal, $sev:expr, $summary:literal, |$p:ident, $t:ident| $body:block) => {
        pub struct $ty;
        impl $crate::policy::finding::Rule for $ty {
            fn code(&self) -> &'static str {
                $code
            }
            fn name(&self) -> &'static str {
                $name
            }
            fn severity(&self) -> $crate::policy::finding::Severity {
                $sev
            }
            fn summary(&self) -> &'static str {
                $summary
            }
            #[allow(unused_variables)]
            fn check(
                &self,
                $p: &$crate::policy::model::Policy,
                $t: &$crate::policy::finding::TenantData,
            ) -> Vec<$crate::policy::finding::Hit> {
                $body
            }
        }
    };
}
pub(crate) use define_rule;
