//! Per-event decision over **enabled** policies (evaluation.md §10, §4.5, §4.6).
//! Report-only policies never change it; disabled ones never apply.

use super::compile::CompiledSet;
use super::context::Ctx;
use super::result::{
    Applicability, ConditionName, Control, Decision, GrantResult, PolicyResult, PolicyState,
};
use crate::model::{EventKind, Reason, Tri};
use std::fmt::{self, Write as _};

/// A policy as reasons name it: `'display name'`, or `#index` outside the set.
struct Name<'a>(&'a CompiledSet, usize);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.policies.get(self.1) {
            Some(p) => write!(f, "'{}'", p.name()),
            None => write!(f, "#{}", self.1),
        }
    }
}

/// Controls as reasons list them: `mfa or compliantDevice`.
struct List<'a>(&'a [Control]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, c) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str(" or ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Why a request that cannot interact fails an interactively fixable control (§4.6).
fn cannot_interact_reason(out: &mut String, ctx: &Ctx, missing: &[Control]) -> fmt::Result {
    let what = List(missing);
    match ctx.facts.kind {
        Some(EventKind::ServicePrincipal) | Some(EventKind::ManagedIdentity) => {
            write!(out, "a service principal cannot satisfy {what}")
        }
        _ if ctx.is_legacy_client() => write!(out, "legacy client cannot satisfy {what}"),
        _ => write!(
            out,
            "{what} needs user interaction; a non-interactive request fails (interaction_required, e.g. AADSTS50076)"
        ),
    }
}

/// Why one enabled policy blocks the event, or may: kept structured while the policies are
/// scanned and written out ([`Why::text`]) only for the category that decides (a blocked
/// event never shows the reasons it might also have been unknown for).
enum Why<'r> {
    Block(&'r PolicyResult),
    Unfixable(&'r [Control], &'r PolicyResult),
    CannotInteract(&'r [Control]),
    InteractionUnknown(&'r [Control], &'r str),
    GrantUnknown(&'r str),
    MayBe(Option<&'r GrantResult>, &'r [(ConditionName, Reason)]),
}

impl Why<'_> {
    /// The reason as text, written into one string (every evaluated key writes the reasons
    /// of its decision, so no intermediate strings are built).
    fn text(&self, set: &CompiledSet, index: usize, ctx: &Ctx) -> String {
        let mut out = String::new();
        // Writing to a `String` cannot fail.
        let _ = self.write(&mut out, set, index, ctx);
        out
    }

    fn write(&self, out: &mut String, set: &CompiledSet, index: usize, ctx: &Ctx) -> fmt::Result {
        let n = Name(set, index);
        match self {
            Why::Block(r) => {
                write!(out, "blocked by policy {n}")?;
                match &r.notes.session_block {
                    Some(why) => write!(out, ": {why}"),
                    None => Ok(()),
                }
            }
            Why::Unfixable(missing, r) => {
                write!(out, "{n} requires {}: ", List(missing))?;
                let lines = r.notes.lines();
                for (k, x) in lines
                    .iter()
                    .filter(|x| x.contains("not fixable"))
                    .enumerate()
                {
                    if k > 0 {
                        out.push_str("; ");
                    }
                    out.push_str(x);
                }
                Ok(())
            }
            Why::CannotInteract(missing) => {
                write!(out, "{n}: ")?;
                cannot_interact_reason(out, ctx, missing)
            }
            Why::InteractionUnknown(missing, why) => {
                write!(out, "{n} requires {} ({why})", List(missing))
            }
            Why::GrantUnknown(reason) => {
                write!(out, "{n} applies but its grant is unknown: {reason}")
            }
            Why::MayBe(g, conditions) => {
                out.push_str("may be ");
                match g {
                    Some(GrantResult::Block) => out.push_str("blocked"),
                    Some(GrantResult::Unmet { missing, .. }) => {
                        write!(out, "required to satisfy {}", List(missing))?
                    }
                    _ => out.push_str("subject to it"),
                }
                write!(out, " by {n}: ")?;
                for (k, (c, r)) in conditions.iter().enumerate() {
                    if k > 0 {
                        out.push_str("; ");
                    }
                    write!(out, "{c}: {r}")?;
                }
                Ok(())
            }
        }
    }
}

pub(crate) fn decide(set: &CompiledSet, results: &[PolicyResult], ctx: &Ctx) -> Decision {
    let interact = ctx.can_interact();
    let mut hard: Vec<(usize, Why)> = vec![];
    let mut soft: Vec<(usize, &[Control])> = vec![];
    let mut maybe: Vec<(usize, Why)> = vec![];
    for r in results {
        let Some(p) = set.policies.get(r.index) else {
            continue;
        };
        if p.state() != PolicyState::Enabled {
            continue;
        }
        match (&r.applicability, &r.grant) {
            (Applicability::NotApplied { .. }, _) => {}
            (Applicability::Applies, Some(GrantResult::Block)) => {
                hard.push((r.index, Why::Block(r)))
            }
            (
                Applicability::Applies,
                Some(GrantResult::Unmet {
                    missing,
                    fixable: false,
                }),
            ) => hard.push((r.index, Why::Unfixable(missing, r))),
            (
                Applicability::Applies,
                Some(GrantResult::Unmet {
                    missing,
                    fixable: true,
                }),
            ) => match &interact {
                Tri::Yes => soft.push((r.index, missing)),
                Tri::No => hard.push((r.index, Why::CannotInteract(missing))),
                Tri::Unknown(why) => maybe.push((r.index, Why::InteractionUnknown(missing, why))),
            },
            (Applicability::Applies, Some(GrantResult::Unknown { reason })) => {
                maybe.push((r.index, Why::GrantUnknown(reason)));
            }
            (Applicability::Applies, _) => {}
            (Applicability::Unknown { conditions }, g) => {
                if matches!(g, Some(GrantResult::Met | GrantResult::SessionOnly)) {
                    continue;
                }
                maybe.push((r.index, Why::MayBe(g.as_ref(), conditions)));
            }
        }
    }
    if !hard.is_empty() {
        return Decision::Blocked {
            policies: hard.iter().map(|(i, _)| *i).collect(),
            reasons: hard.iter().map(|(i, w)| w.text(set, *i, ctx)).collect(),
        };
    }
    if !maybe.is_empty() {
        let mut reasons: Vec<String> = maybe.iter().map(|(i, w)| w.text(set, *i, ctx)).collect();
        for (i, missing) in &soft {
            reasons.push(format!(
                "would also challenge for {} ({})",
                List(missing),
                Name(set, *i)
            ));
        }
        return Decision::Unknown {
            policies: maybe.iter().map(|(i, _)| *i).collect(),
            reasons,
        };
    }
    if !soft.is_empty() {
        let mut controls: Vec<Control> = vec![];
        for (_, missing) in &soft {
            for c in missing.iter() {
                if !controls.contains(c) {
                    controls.push(c.clone());
                }
            }
        }
        // Prompt order of §4.5: the first control is what the user is asked first.
        controls.sort_by_key(|c| c.prompt_rank());
        return Decision::Challenged {
            controls,
            policies: soft.iter().map(|(i, _)| *i).collect(),
        };
    }
    Decision::Allowed
}

#[cfg(test)]
pub(crate) mod twin {
    //! The slow twin of [`decide`](super::decide): every reason written out as its policy
    //! is scanned (the agreement test is in src/engine/evaluate.rs, which calls it as
    //! `decision::twin::decide_eager`).
    use super::*;

    fn name(set: &CompiledSet, i: usize) -> String {
        set.policies
            .get(i)
            .map(|p| format!("'{}'", p.name()))
            .unwrap_or_else(|| format!("#{i}"))
    }

    fn list(missing: &[Control]) -> String {
        missing
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" or ")
    }

    fn cannot_interact_reason(ctx: &Ctx, missing: &[Control]) -> String {
        let what = list(missing);
        match ctx.facts.kind {
            Some(EventKind::ServicePrincipal) | Some(EventKind::ManagedIdentity) => {
                format!("a service principal cannot satisfy {what}")
            }
            _ if ctx.is_legacy_client() => format!("legacy client cannot satisfy {what}"),
            _ => format!(
                "{what} needs user interaction; a non-interactive request fails (interaction_required, e.g. AADSTS50076)"
            ),
        }
    }

    pub(crate) fn decide_eager(set: &CompiledSet, results: &[PolicyResult], ctx: &Ctx) -> Decision {
        let interact = ctx.can_interact();
        let mut hard: Vec<(usize, String)> = vec![];
        let mut soft: Vec<(usize, Vec<Control>)> = vec![];
        let mut maybe: Vec<(usize, String)> = vec![];
        for r in results {
            let Some(p) = set.policies.get(r.index) else {
                continue;
            };
            if p.state() != PolicyState::Enabled {
                continue;
            }
            // The policy's display name, formatted only where a reason names it.
            let n = || name(set, r.index);
            match (&r.applicability, &r.grant) {
                (Applicability::NotApplied { .. }, _) => {}
                (Applicability::Applies, Some(GrantResult::Block)) => {
                    let why = r
                        .notes
                        .session_block
                        .as_ref()
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default();
                    hard.push((r.index, format!("blocked by policy {}{why}", n())));
                }
                (
                    Applicability::Applies,
                    Some(GrantResult::Unmet {
                        missing,
                        fixable: false,
                    }),
                ) => {
                    let why = r
                        .notes
                        .lines()
                        .into_iter()
                        .filter(|x| x.contains("not fixable"))
                        .collect::<Vec<_>>()
                        .join("; ");
                    hard.push((
                        r.index,
                        format!("{} requires {}: {why}", n(), list(missing)),
                    ));
                }
                (
                    Applicability::Applies,
                    Some(GrantResult::Unmet {
                        missing,
                        fixable: true,
                    }),
                ) => match &interact {
                    Tri::Yes => soft.push((r.index, missing.clone())),
                    Tri::No => hard.push((
                        r.index,
                        format!("{}: {}", n(), cannot_interact_reason(ctx, missing)),
                    )),
                    Tri::Unknown(why) => maybe.push((
                        r.index,
                        format!("{} requires {} ({why})", n(), list(missing)),
                    )),
                },
                (Applicability::Applies, Some(GrantResult::Unknown { reason })) => {
                    maybe.push((
                        r.index,
                        format!("{} applies but its grant is unknown: {reason}", n()),
                    ));
                }
                (Applicability::Applies, _) => {}
                (Applicability::Unknown { conditions }, g) => {
                    if matches!(g, Some(GrantResult::Met | GrantResult::SessionOnly)) {
                        continue;
                    }
                    let what = match g {
                        Some(GrantResult::Block) => "blocked".to_string(),
                        Some(GrantResult::Unmet { missing, .. }) => {
                            format!("required to satisfy {}", list(missing))
                        }
                        _ => "subject to it".to_string(),
                    };
                    let why = conditions
                        .iter()
                        .map(|(c, r)| format!("{c}: {r}"))
                        .collect::<Vec<_>>()
                        .join("; ");
                    maybe.push((r.index, format!("may be {what} by {}: {why}", n())));
                }
            }
        }
        if !hard.is_empty() {
            return Decision::Blocked {
                policies: hard.iter().map(|(i, _)| *i).collect(),
                reasons: hard.into_iter().map(|(_, r)| r).collect(),
            };
        }
        if !maybe.is_empty() {
            let mut reasons: Vec<String> = maybe.iter().map(|(_, r)| r.clone()).collect();
            for (i, missing) in &soft {
                reasons.push(format!(
                    "would also challenge for {} ({})",
                    list(missing),
                    name(set, *i)
                ));
            }
            return Decision::Unknown {
                policies: maybe.iter().map(|(i, _)| *i).collect(),
                reasons,
            };
        }
        if !soft.is_empty() {
            let mut controls: Vec<Control> = vec![];
            for (_, missing) in &soft {
                for c in missing {
                    if !controls.contains(c) {
                        controls.push(c.clone());
                    }
                }
            }
            // Prompt order of §4.5: the first control is what the user is asked first.
            controls.sort_by_key(|c| c.prompt_rank());
            return Decision::Challenged {
                controls,
                policies: soft.iter().map(|(i, _)| *i).collect(),
            };
        }
        Decision::Allowed
    }
}
