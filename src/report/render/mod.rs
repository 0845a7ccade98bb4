//! Renderers, one output format a file. The text formats share one description of the
//! report as titled sections (`sections`), so they can only differ in layout, never in
//! numbers or order.

use std::fmt;
use std::str::FromStr;

use super::compare::Comparison;
use super::model::{MoveRow, Report};
use super::row::Outcome;

mod csv;
mod html;
mod json;
pub(crate) mod markdown;
mod terminal;

pub use terminal::TerminalSafe;

/// Output format of the impact report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain aligned text tables (the default).
    #[default]
    Terminal,
    Json,
    Csv,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Terminal,
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Html,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown `--format` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown report format {given:?}: expected one of terminal, json, csv, markdown (md), html"
)]
pub struct UnknownFormat {
    pub given: String,
}

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "terminal" | "text" | "txt" => Ok(Format::Terminal),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            _ => Err(UnknownFormat {
                given: s.to_owned(),
            }),
        }
    }
}

/// Write `report` to `out` in `format`. Text formats cap each table at `report.top` rows
/// (0 = no cap) and say how many rows were left out; JSON carries every row.
pub fn render(
    report: &Report,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::render(report, out),
        Format::Csv => csv::render(&doc_of(report, MatrixLayout::Long), out),
        // Every event row the report kept (already bounded by the replay's sample).
        Format::Html => html::render_report(report, usize::MAX, out),
        other => render_doc(&doc_of(report, MatrixLayout::Grid), other, out),
    }
}

/// The report as one tidy CSV per table: (file name, bytes), every row (no `top` cap),
/// in display order (`--format csv -o DIR/`, `--table NAME`; see `csv::tables`).
pub fn csv_tables(report: &Report) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let all = report.clone().with_top(0);
    csv::tables(&doc_of(&all, MatrixLayout::Long))
}

/// A report as a format-neutral document: a title, the answer, bullet lists and tables.
/// The impact report and the verify report are both rendered through it, so every text
/// format lays them out the same way.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Doc {
    /// Empty: the terminal prints no title line; Markdown and HTML use a default.
    pub title: String,
    pub tenant: String,
    /// The answer, first.
    pub headline: String,
    pub subheadline: String,
    /// Lines that qualify the answer (how much is undecided and why, what was skipped),
    /// shown right under the headline in every format.
    pub caveats: Vec<String>,
    pub lists: Vec<DocList>,
    pub sections: Vec<Section>,
}

/// A titled bullet list (changes previewed, notes).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocList {
    /// Machine name (CSV `section` column).
    pub id: &'static str,
    /// CSV column header for the items.
    pub header: &'static str,
    pub title: String,
    pub items: Vec<String>,
}

/// Events the HTML report embeds by default (`--html-events`): about 150 bytes each in
/// the page, so ~3 MB at the limit, and a page that still filters instantly.
pub const HTML_EVENTS: usize = 20_000;

/// The explorable HTML page of `report`, embedding at most `max_events` of the event rows
/// the report kept (`Report::events`), with a note saying how many were left out.
pub fn render_html(
    report: &Report,
    max_events: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    html::render_report(report, max_events, out)
}

/// Render a document in a text format (JSON serializes the document itself).
pub fn render_doc(doc: &Doc, format: Format, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Terminal => terminal::render(doc, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, doc).map_err(std::io::Error::from)?;
            writeln!(out)
        }
        Format::Csv => csv::render(doc, out),
        Format::Markdown => markdown::render(doc, out),
        Format::Html => html::render(doc, out),
    }
}

fn doc_of(report: &Report, layout: MatrixLayout) -> Doc {
    // A partial answer says so first, right under the headline, in every format.
    let skipped = report.is_partial().then(|| DocList {
        id: "skipped",
        header: "skipped input (PARTIAL ANSWER)",
        title: format!(
            "PARTIAL ANSWER: {} skipped by --keep-going (left out of every number below)",
            match report.skipped_inputs.len() {
                1 => "1 policy input".to_string(),
                n => format!("{n} policy inputs"),
            }
        ),
        items: report.skipped_inputs.clone(),
    });
    Doc {
        title: report.title.clone(),
        tenant: report.tenant.clone(),
        headline: report.headline(),
        subheadline: report.subheadline(),
        caveats: report
            .undecided_line()
            .into_iter()
            .chain(report.rejected_line())
            .collect(),
        lists: skipped
            .into_iter()
            .chain([
                DocList {
                    id: "changes",
                    header: "change",
                    title: "Changes previewed".to_string(),
                    items: report.changes.clone(),
                },
                DocList {
                    id: "notes",
                    header: "note",
                    title: "Notes".to_string(),
                    items: report.notes.clone(),
                },
            ])
            .collect(),
        sections: sections(report, layout),
    }
}

/// One table of the report, format-neutral.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Section {
    /// Machine name (CSV `section` column, HTML id).
    pub id: &'static str,
    pub title: String,
    /// One line under the title saying what the rows count.
    pub caption: Option<String>,
    pub headers: Vec<String>,
    /// Right-align these columns (numbers).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    /// Rows left out by the `top` cap.
    pub more: usize,
}

impl Section {
    pub fn new(id: &'static str, title: &str, headers: &[(&str, bool)]) -> Section {
        Section {
            id,
            title: title.to_owned(),
            caption: None,
            headers: headers.iter().map(|(h, _)| (*h).to_owned()).collect(),
            numeric: headers.iter().map(|(_, n)| *n).collect(),
            rows: Vec::new(),
            more: 0,
        }
    }

    pub fn caption(mut self, text: &str) -> Section {
        self.caption = Some(text.to_owned());
        self
    }

    pub fn capped(mut self, top: usize) -> Section {
        if top > 0 && self.rows.len() > top {
            self.more = self.rows.len() - top;
            self.rows.truncate(top);
        }
        self
    }

    /// The "(N more)" line for a capped table.
    pub fn more_line(&self) -> Option<String> {
        (self.more > 0).then(|| format!("({} more)", self.more))
    }
}

/// How the transition matrix is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatrixLayout {
    /// 4x4 grid, cells "events (users)": for people.
    Grid,
    /// One row per cell with separate numeric columns: for machines.
    Long,
}

/// The report's tables in display order: the answer first, then who and why, then the
/// input accounting last.
pub(crate) fn sections(report: &Report, layout: MatrixLayout) -> Vec<Section> {
    let top = report.top;
    let mut out = Vec::new();

    let t = &report.totals;
    let mut s = Section::new(
        "summary",
        "Summary",
        &[("change", false), ("events", true), ("users", true)],
    )
    .caption("users = distinct users (user id, else UPN, else request id)");
    for (label, c) in [
        ("newly blocked", t.newly_blocked),
        ("newly challenged", t.newly_challenged),
        ("newly unknown", t.newly_unknown),
        ("relieved", t.relieved),
        ("moved (any change)", t.moved),
        ("undecided (baseline or candidate unknown)", t.undecided),
        ("replayed", t.all),
    ] {
        s.rows.push(vec![
            label.to_owned(),
            c.events.to_string(),
            c.users.to_string(),
        ]);
    }
    out.push(s);

    out.push(transitions(report, layout));
    if let Some(c) = &report.comparison {
        out.extend(comparison(c, top));
    }

    let mut s = Section::new(
        "undecided",
        "Undecided events by cause",
        &[
            ("cause", false),
            ("events", true),
            ("users", true),
            ("what is missing", false),
            ("how to decide it", false),
            ("example reason", false),
        ],
    )
    .caption(&format!(
        "events whose baseline or candidate outcome is unknown: {} of {}; an event with several causes counts under each",
        t.undecided.events, t.all.events
    ));
    for c in &report.undecided_by_cause {
        s.rows.push(vec![
            c.cause.clone(),
            c.events.to_string(),
            c.users.to_string(),
            c.what.clone(),
            c.fix
                .clone()
                .unwrap_or_else(|| "(no input carries it)".to_string()),
            c.example_reason.clone(),
        ]);
    }
    out.push(s.capped(top));

    out.push(move_section(
        "by_policy",
        "Moved events by policy (changed_by)",
        "policy",
        false,
        &report.by_policy,
        top,
    ));
    out.push(move_section(
        "by_user",
        "Moved events by user",
        "user",
        true,
        &report.by_user,
        top,
    ));
    out.push(move_section(
        "by_app",
        "Moved events by app",
        "app",
        true,
        &report.by_app,
        top,
    ));
    out.push(move_section(
        "by_location",
        "Moved events by location",
        "location",
        false,
        &report.by_location,
        top,
    ));
    out.push(move_section(
        "by_client_app_type",
        "Moved events by client app type",
        "client app type",
        false,
        &report.by_client_app_type,
        top,
    ));
    out.push(move_section(
        "by_day",
        "Moved events by day (UTC)",
        "day",
        false,
        &report.by_day,
        top,
    ));

    let mut s = Section::new(
        "demands",
        "What the candidate set would ask for",
        &[
            ("demand", false),
            ("events", true),
            ("users", true),
            ("moved events", true),
        ],
    );
    for d in &report.demands {
        s.rows.push(vec![
            d.demand.clone(),
            d.events.to_string(),
            d.users.to_string(),
            d.moved_events.to_string(),
        ]);
    }
    out.push(s.capped(top));

    let mut s = Section::new(
        "explanations",
        "Top explanations among moved events",
        &[
            ("explanation", false),
            ("events", true),
            ("users", true),
            ("example request id", false),
        ],
    );
    for e in &report.explanations {
        s.rows.push(vec![
            e.explanation.clone(),
            e.events.to_string(),
            e.users.to_string(),
            e.example_request_id.clone(),
        ]);
    }
    out.push(s.capped(top));

    let mut s = Section::new(
        "policies",
        "Policies (baseline vs candidate state)",
        &[
            ("id", false),
            ("name", false),
            ("baseline", false),
            ("candidate", false),
        ],
    );
    for p in &report.policies {
        s.rows.push(vec![
            p.id.clone(),
            p.name.clone(),
            p.baseline_state.clone(),
            p.candidate_state.clone(),
        ]);
    }
    out.push(s.capped(top));

    out.extend(accounting(report, top));
    out
}

fn transitions(report: &Report, layout: MatrixLayout) -> Section {
    match layout {
        MatrixLayout::Grid => {
            let mut headers: Vec<(&str, bool)> = vec![("baseline \\ candidate", false)];
            headers.extend(Outcome::ALL.iter().map(|o| (o.as_str(), true)));
            let mut s = Section::new("transitions", "Outcome transitions", &headers)
                .caption("events (distinct users); rows = baseline, columns = candidate");
            for b in Outcome::ALL {
                let mut row = vec![b.as_str().to_owned()];
                for c in Outcome::ALL {
                    let n = report.transition(b, c);
                    row.push(format!("{} ({})", n.events, n.users));
                }
                s.rows.push(row);
            }
            s
        }
        MatrixLayout::Long => {
            let mut s = Section::new(
                "transitions",
                "Outcome transitions",
                &[
                    ("baseline", false),
                    ("candidate", false),
                    ("events", true),
                    ("users", true),
                ],
            );
            for t in &report.transitions {
                s.rows.push(vec![
                    t.baseline.as_str().to_owned(),
                    t.candidate.as_str().to_owned(),
                    t.events.to_string(),
                    t.users.to_string(),
                ]);
            }
            s
        }
    }
}

/// `--compare-to`: the differing events by (golden outcome, outcome), then the events.
fn comparison(c: &Comparison, top: usize) -> Vec<Section> {
    let side = |o: Option<Outcome>| o.map_or("(absent)", Outcome::as_str).to_owned();
    let title = format!("Changed since {}", c.golden);
    let mut counts = Section::new(
        "changed_since",
        &title,
        &[
            ("golden outcome", false),
            ("outcome", false),
            ("events", true),
        ],
    )
    .caption(&format!(
        "{} of {} events differ from the golden ({} events): {} outcome, {} deciding \
         policies only, {} added (this run only), {} removed (golden only); compared by \
         request id on candidate_outcome and candidate_policies_applied",
        c.changed,
        c.union(),
        c.golden_events,
        c.outcome_changed,
        c.policies_changed,
        c.added,
        c.removed,
    ));
    if c.golden_duplicates > 0 {
        counts.caption = counts.caption.map(|t| {
            format!(
                "{t}; {} golden rows repeat a request id and were ignored",
                c.golden_duplicates
            )
        });
    }
    for r in &c.by_outcome {
        counts.rows.push(vec![
            side(r.golden_outcome),
            side(r.outcome),
            r.events.to_string(),
        ]);
    }
    let mut events = Section::new(
        "changed_events",
        &format!("{title}: events"),
        &[
            ("request id", false),
            ("change", false),
            ("golden outcome", false),
            ("outcome", false),
            ("golden policies", false),
            ("policies", false),
            ("user", false),
            ("explanation", false),
        ],
    );
    for e in &c.changed_events {
        events.rows.push(vec![
            e.request_id.clone(),
            e.change.as_str().to_owned(),
            side(e.golden_outcome),
            side(e.outcome),
            e.golden_policies.join("; "),
            e.policies.join("; "),
            e.user.clone(),
            e.explanation.clone(),
        ]);
    }
    vec![counts, events.capped(top)]
}

fn move_section(
    id: &'static str,
    title: &str,
    what: &str,
    with_id: bool,
    rows: &[MoveRow],
    top: usize,
) -> Section {
    let mut headers: Vec<(&str, bool)> = vec![(what, false)];
    if with_id {
        headers.push(("id", false));
    }
    headers.push(("events", true));
    // Per-user rows always count one user; the column would only add noise.
    let with_users = id != "by_user";
    if with_users {
        headers.push(("users", true));
    }
    headers.extend([
        ("newly blocked", true),
        ("newly challenged", true),
        ("newly unknown", true),
        ("relieved", true),
    ]);
    let mut s = Section::new(id, title, &headers);
    for r in rows {
        let mut row = vec![r.name.clone()];
        if with_id {
            row.push(r.id.clone().unwrap_or_default());
        }
        row.push(r.events.to_string());
        if with_users {
            row.push(r.users.to_string());
        }
        row.extend([
            r.newly_blocked.to_string(),
            r.newly_challenged.to_string(),
            r.newly_unknown.to_string(),
            r.relieved.to_string(),
        ]);
        s.rows.push(row);
    }
    s.capped(top)
}

fn accounting(report: &Report, top: usize) -> Vec<Section> {
    let input = &report.input;
    let mut out = Vec::new();

    let mut s = Section::new(
        "input",
        "Input accounting",
        &[("item", false), ("count", true)],
    );
    for (label, n) in [
        ("log files", input.files.len() as u64),
        ("rows read", input.rows_read),
        ("rows loaded", input.rows_loaded),
        ("rows rejected", input.rows_rejected),
        ("duplicates dropped", input.duplicates_dropped),
        ("policies loaded", input.policies_loaded),
        ("policies rejected", input.policies_rejected),
    ] {
        s.rows.push(vec![label.to_owned(), n.to_string()]);
    }
    let unreadable: u64 = input.unreadable_by_reason.iter().map(|(_, n)| n).sum();
    if unreadable > 0 {
        s.rows.push(vec![
            "unreadable fields on loaded rows (facts Unknown)".to_owned(),
            unreadable.to_string(),
        ]);
    }
    if !input.inputs_skipped.is_empty() {
        s.rows.push(vec![
            "inputs skipped (not regular files)".to_owned(),
            input.inputs_skipped.len().to_string(),
        ]);
    }
    out.push(s);

    let mut s = Section::new(
        "input_files",
        "Input files",
        &[
            ("path", false),
            ("format", false),
            ("read", true),
            ("loaded", true),
            ("rejected", true),
        ],
    );
    for f in &input.files {
        s.rows.push(vec![
            f.path.clone(),
            f.format.clone(),
            f.rows_read.to_string(),
            f.rows_loaded.to_string(),
            f.rows_rejected.to_string(),
        ]);
    }
    out.push(s.capped(top));

    let mut s = Section::new(
        "rejected_by_reason",
        "Rejected rows by reason",
        &[("reason", false), ("rows", true)],
    );
    for (reason, n) in &input.rejected_by_reason {
        s.rows.push(vec![reason.clone(), n.to_string()]);
    }
    out.push(s.capped(top));

    // Shown only when there is something to show (clean input renders as before).
    if !input.unreadable_by_reason.is_empty() {
        let mut s = Section::new(
            "unreadable_by_reason",
            "Loaded rows with an unreadable field (that fact is Unknown)",
            &[("field", false), ("rows", true)],
        );
        for (reason, n) in &input.unreadable_by_reason {
            s.rows.push(vec![reason.clone(), n.to_string()]);
        }
        out.push(s.capped(top));
    }
    if !input.inputs_skipped.is_empty() {
        let mut s = Section::new(
            "inputs_skipped",
            "Inputs skipped (not regular files, never opened)",
            &[("input", false)],
        );
        for m in &input.inputs_skipped {
            s.rows.push(vec![m.clone()]);
        }
        out.push(s.capped(top));
    }
    out
}
