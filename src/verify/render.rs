//! The verify report as a document, in every report format.

use crate::report::{Doc, DocList, Section};

use super::VerifyReport;

/// An agreement with two decimals, rounded down, so one below 100% never shows as
/// `100.00%` (99.996% rounded to nearest would).
fn pct(x: f64) -> String {
    format!("{:.2}%", (x * 100.0).floor() / 100.0)
}

/// Build the format-neutral document; `top` caps table lengths (0 = no cap).
pub fn document(r: &VerifyReport, top: usize) -> Doc {
    let headline = format!(
        "careplay agrees with Entra's logged result on {} of {} decided (event, policy) pairs",
        pct(r.agreement_pct),
        r.agree + r.disagree
    );
    // Rounded up, as a share of what is left out should never look smaller than it is.
    let undecided_pct = format!("{:.2}%", (r.undecided_pct * 100.0).ceil() / 100.0);
    let subheadline = format!(
        "{} events ({} with logged per-policy results), {} pairs compared: {} agree, {} disagree, \
         {} undecided by careplay ({} of pairs)",
        r.events,
        r.events_with_logged_results,
        r.pairs,
        r.agree,
        r.disagree,
        r.undecided,
        undecided_pct
    );
    let mut sections = Vec::new();

    let mut s = Section::new(
        "per_policy",
        "Agreement by policy",
        &[
            ("policy", false),
            ("id", false),
            ("pairs", true),
            ("agree", true),
            ("disagree", true),
            ("undecided", true),
            ("agreement", true),
        ],
    )
    .caption("agreement = agree / (agree + disagree); undecided pairs are careplay Unknowns");
    for p in &r.per_policy {
        s.rows.push(vec![
            p.name.clone(),
            p.id.clone(),
            p.pairs.to_string(),
            p.agree.to_string(),
            p.disagree.to_string(),
            p.undecided.to_string(),
            if p.agree + p.disagree == 0 {
                "n/a".to_string()
            } else {
                pct(p.agreement_pct())
            },
        ]);
    }
    sections.push(s.capped(top));

    let mut s = Section::new(
        "matrix",
        "Agreement matrix (all policies)",
        &[
            ("careplay predicted", false),
            ("Entra logged", false),
            ("pairs", true),
        ],
    )
    .caption("`undecided` = careplay could not decide; `state X` = the snapshot's state differs");
    for (p, l, n) in &r.matrix {
        s.rows.push(vec![p.clone(), l.clone(), n.to_string()]);
    }
    sections.push(s);

    let mut s = Section::new(
        "disagreements",
        "Disagreements by class",
        &[
            ("class", false),
            ("pairs", true),
            ("likely cause", false),
            ("example request id", false),
            ("example policy", false),
        ],
    );
    for c in &r.classes {
        s.rows.push(vec![
            c.class.clone(),
            c.count.to_string(),
            c.likely_cause.clone(),
            c.example_request_id.clone(),
            c.example_policy.clone(),
        ]);
    }
    sections.push(s.capped(top));

    let mut s = Section::new(
        "undecided",
        "Why careplay could not decide",
        &[("reason", false), ("pairs", true)],
    );
    for (reason, n) in &r.undecided_reasons {
        s.rows.push(vec![reason.clone(), n.to_string()]);
    }
    sections.push(s.capped(top));

    let mut s = Section::new(
        "not_verifiable",
        "Policies not verifiable from logs",
        &[("policy", false), ("why", false)],
    );
    for (name, why) in &r.not_verifiable {
        s.rows.push(vec![name.clone(), why.clone()]);
    }
    sections.push(s);

    let mut s = Section::new(
        "unknown_policy_ids",
        "Logged policy ids not in the snapshot",
        &[("policy id", false), ("pairs", true)],
    );
    for (id, n) in &r.unknown_policy_ids {
        s.rows.push(vec![id.clone(), n.to_string()]);
    }
    sections.push(s.capped(top));

    Doc {
        title: "careplay verify: simulator vs Entra's logged decisions".to_string(),
        tenant: r.tenant.clone(),
        headline,
        subheadline,
        caveats: Vec::new(),
        lists: (!r.skipped_inputs.is_empty())
            .then(|| DocList {
                id: "skipped",
                header: "skipped input (PARTIAL ANSWER)",
                title: format!(
                    "PARTIAL ANSWER: {} policy input(s) skipped by --keep-going (left out of \
                     every number below)",
                    r.skipped_inputs.len()
                ),
                items: r.skipped_inputs.clone(),
            })
            .into_iter()
            .chain([DocList {
                id: "notes",
                header: "note",
                title: "Notes".to_string(),
                items: r.notes.clone(),
            }])
            .collect(),
        sections,
    }
}
