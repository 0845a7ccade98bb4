//! Per-event decision over **enabled** policies (evaluation.md §10, §4.5, §4.6).
//! Report-only policies never change it; disabled ones never apply.

use super::compile::CompiledSet;
use super::context::Ctx;
use super::result::{
    Applicability, ConditionName, Control, Decision, GrantResult, PolicyResult, PolicyState,
};
use crate::model::{EventKind, Reason, Tri};

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

/// Why a request that cannot interact fails an interactively fixable control (§4.6).
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

/// Why one enabled policy blocks the event, or may: kept structured while the policies are
/// scanned and written out ([`Why::text`]) only for the category that decides (a blocked
/// event never shows the reasons it might also have been unknown for).
enum Why<'r> {
    Block,
    Unfixable(&'r [Control], &'r PolicyResult),
    CannotInteract(&'r [Control]),
    InteractionUnknown(&'r [Control], &'r str),
    GrantUnknown(&'r str),
    MayBe(Option<&'r GrantResult>, &'r [(ConditionName, Reason)]),
}

impl Why<'_> {
    fn text(&self, set: &CompiledSet, index: usize, ctx: &Ctx) -> String {
        let n = name(set, index);
        match self {
            Why::Block => format!("blocked by policy {n}"),
            Why::Unfixable(missing, r) => {
                let why = r
                    .notes
                    .lines()
                    .into_iter()
                    .filter(|x| x.contains("not fixable"))
                    .collect::<Vec<_>>()
                    .join("; ");
                format!("{n} requires {}: {why}", list(missing))
            }
            Why::CannotInteract(missing) => {
                format!("{n}: {}", cannot_interact_reason(ctx, missing))
            }
            Why::InteractionUnknown(missing, why) => {
                format!("{n} requires {} ({why})", list(missing))
            }
            Why::GrantUnknown(reason) => {
                format!("{n} applies but its grant is unknown: {reason}")
            }
            Why::MayBe(g, conditions) => {
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
                format!("may be {what} by {n}: {why}")
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
            (Applicability::Applies, Some(GrantResult::Block)) => hard.push((r.index, Why::Block)),
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
                    hard.push((r.index, format!("blocked by policy {}", n())));
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
