//! One-paragraph explanation of an event decision (design.md: "every decision can be
//! explained: which policies applied, which condition excluded the others, which evidence
//! met or missed each control").

use super::compile::{CompiledPolicy, CompiledSet};
use super::result::{Applicability, Decision, EventResult, GrantResult, PolicyState};
use std::fmt::{self, Write as _};

impl EventResult {
    /// Why the event got its decision, naming every policy once: the
    /// [`headline`](EventResult::headline), then every policy by group.
    pub fn explain(&self, set: &CompiledSet) -> String {
        let mut out = self.headline(set);
        let mut groups: [(&str, Vec<String>); 4] = [
            ("Applied", vec![]),
            ("May apply", vec![]),
            ("Report-only", vec![]),
            ("Not applied", vec![]),
        ];
        for r in &self.policies {
            let Some(p) = set.policies().get(r.index) else {
                continue;
            };
            let line = format!("{} {}", policy_name(set, r.index), r.explanation(set));
            let slot = match (p.state(), &r.applicability) {
                (PolicyState::Disabled, _) => 3,
                (PolicyState::ReportOnly, _) => 2,
                (_, Applicability::Applies) => 0,
                (_, Applicability::Unknown { .. }) => 1,
                (_, Applicability::NotApplied { .. }) => 3,
            };
            groups[slot].1.push(line);
        }
        for (label, items) in groups.iter() {
            if !items.is_empty() {
                out.push_str(&format!(" {label}: {}.", items.join("; ")));
            }
        }
        out
    }

    /// The decision sentence that opens [`explain`](EventResult::explain) (reports use it
    /// alone, without paying for the per-policy groups).
    pub fn headline(&self, set: &CompiledSet) -> String {
        match &self.decision {
            Decision::Allowed => {
                "Allowed: no enabled policy blocks or challenges this sign-in.".to_string()
            }
            Decision::Challenged { controls, policies } => format!(
                "Challenged: the user would be asked for {} (first: {}) by {}.",
                controls
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                controls.first().map(|c| c.to_string()).unwrap_or_default(),
                policies
                    .iter()
                    .map(|i| policy_name(set, *i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Decision::Blocked { reasons, .. } => format!("Blocked: {}.", reasons.join("; ")),
            Decision::Unknown { reasons, .. } => format!("Unknown: {}.", reasons.join("; ")),
        }
    }
}

fn policy_name(set: &CompiledSet, i: usize) -> String {
    set.policies()
        .get(i)
        .map(|p| format!("'{}'", p.name()))
        .unwrap_or_else(|| format!("#{i}"))
}

/// The one-line account of one policy (`PolicyResult::explanation`).
pub(crate) fn explain_policy(
    p: &CompiledPolicy,
    a: &Applicability,
    g: Option<&GrantResult>,
) -> String {
    let mut out = String::new();
    write_policy(&mut out, p, a, g);
    out
}

/// [`explain_policy`] appended to `out` (a replay writes one per applying policy of every
/// evaluated key into its summary, without intermediate strings).
pub(crate) fn write_policy(
    out: &mut String,
    p: &CompiledPolicy,
    a: &Applicability,
    g: Option<&GrantResult>,
) {
    // Writing to a `String` cannot fail.
    let _ = write_policy_fmt(out, p, a, g);
}

fn write_policy_fmt(
    out: &mut String,
    p: &CompiledPolicy,
    a: &Applicability,
    g: Option<&GrantResult>,
) -> fmt::Result {
    match a {
        Applicability::Applies => out.push_str("applies"),
        Applicability::NotApplied { condition, reason } => {
            write!(out, "not applied ({condition}: {reason})")?
        }
        Applicability::Unknown { conditions } => {
            out.push_str("may apply (");
            for (k, (c, r)) in conditions.iter().enumerate() {
                if k > 0 {
                    out.push_str("; ");
                }
                write!(out, "{c}: {r}")?;
            }
            out.push(')');
        }
    }
    let Some(g) = g else {
        return Ok(());
    };
    out.push_str("; ");
    match g {
        GrantResult::Block => out.push_str("blocks access"),
        GrantResult::SessionOnly => out.push_str("session controls only"),
        GrantResult::Met => write!(out, "requires {} — met", p.demand_description())?,
        GrantResult::Unmet { missing, fixable } => {
            write!(out, "requires {} — missing ", p.demand_description())?;
            for (k, c) in missing.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write!(out, "{c}")?;
            }
            out.push_str(if *fixable {
                " (user could be prompted)"
            } else {
                " (cannot be fixed in this sign-in)"
            });
        }
        GrantResult::Unknown { reason } => write!(
            out,
            "requires {} — unknown ({reason})",
            p.demand_description()
        )?,
    }
    Ok(())
}

/// The slow twin of [`explain_policy`]: each part formatted on its own, then joined.
#[cfg(test)]
pub(crate) fn explain_policy_slow(
    p: &CompiledPolicy,
    a: &Applicability,
    g: Option<&GrantResult>,
) -> String {
    let head = match a {
        Applicability::Applies => "applies".to_string(),
        Applicability::NotApplied { condition, reason } => {
            format!("not applied ({condition}: {reason})")
        }
        Applicability::Unknown { conditions } => format!(
            "may apply ({})",
            conditions
                .iter()
                .map(|(c, r)| format!("{c}: {r}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    let grant = match g {
        None => return head,
        Some(GrantResult::Block) => "blocks access".to_string(),
        Some(GrantResult::SessionOnly) => "session controls only".to_string(),
        Some(GrantResult::Met) => format!("requires {} — met", p.demand.describe()),
        Some(GrantResult::Unmet { missing, fixable }) => format!(
            "requires {} — missing {} ({})",
            p.demand.describe(),
            missing
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if *fixable {
                "user could be prompted"
            } else {
                "cannot be fixed in this sign-in"
            }
        ),
        Some(GrantResult::Unknown { reason }) => {
            format!("requires {} — unknown ({reason})", p.demand.describe())
        }
    };
    format!("{head}; {grant}")
}
