//! HTML, one self-contained file (inline CSS, SVG and script; no network, no external
//! asset). Every piece of text from the input is escaped: element text and attributes
//! through [`escape`], the embedded JSON through [`script_json`].
//!
//! Two pages: the verify report is a static page of its [`Doc`] ([`render`]); the impact
//! report ([`render_report`]) is an explorable page built from the same [`Report`] the JSON
//! renderer writes (its tables come from `sections`, as every text format's do, uncapped),
//! plus a bounded selection of events (`Report::events`) for the drill-down.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{sections, Doc, MatrixLayout, Section};
use crate::report::model::{Move, MoveRow, Report};
use crate::report::row::{EventRow, Outcome};
use crate::report::sample::{class_of, CLASSES};

mod chart;

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;\
color:#1b1f24;max-width:72rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
p.answer{font-size:1.2rem;font-weight:600;padding:.75rem 1rem;background:#fff4e5;\
border-left:4px solid #d97706}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
p.caption,p.more{color:#57606a;font-size:.9rem}";

/// The impact page's style sheet and script (no `url(`, `src=`, `href=` or `@import`:
/// nothing on the page may reach out).
const PAGE_STYLE: &str = include_str!("html/page.css");
const PAGE_SCRIPT: &str = include_str!("html/page.js");

/// A static page of a [`Doc`] (the verify report).
pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    let title = title_of(&doc.title);
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(out, "<title>{}</title>", escape(title))?;
    writeln!(out, "<style>{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<h1>{}</h1>", escape(title))?;
    if !doc.tenant.is_empty() {
        writeln!(out, "<p>Tenant: {}</p>", escape(&doc.tenant))?;
    }
    writeln!(out, "<p class=\"answer\">{}</p>", escape(&doc.headline))?;
    writeln!(out, "<p>{}</p>", escape(&doc.subheadline))?;
    for c in &doc.caveats {
        writeln!(out, "<p class=\"caveat\">{}</p>", escape(c))?;
    }
    let mut page = String::new();
    for l in &doc.lists {
        list(&mut page, &l.title, &l.items);
    }
    for s in &doc.sections {
        static_table(&mut page, s);
    }
    out.write_all(page.as_bytes())?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

fn title_of(t: &str) -> &str {
    if t.is_empty() {
        "careplay impact report"
    } else {
        t
    }
}

/// Escape text for element content and double-quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    push_escaped(&mut o, s);
    o
}

fn push_escaped(o: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
}

/// JSON for a `<script type="application/json">` block. The HTML parser ends a script at
/// `</script` and treats `<!--` specially whatever the type, so no `<` may appear raw:
/// `<`, `>` and `&` only occur inside JSON strings, where `\u003c`, `\u003e`, `\u0026`
/// mean the same characters to `JSON.parse`.
pub(crate) fn script_json(value: &impl Serialize) -> io::Result<String> {
    let text = serde_json::to_string(value).map_err(io::Error::from)?;
    let mut o = String::with_capacity(text.len() + text.len() / 50);
    for c in text.chars() {
        match c {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            c => o.push(c),
        }
    }
    Ok(o)
}

fn list(o: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "<h2>{}</h2>", escape(title));
    o.push_str("<ul>\n");
    for i in items {
        let _ = writeln!(o, "<li>{}</li>", escape(i));
    }
    o.push_str("</ul>\n");
}

fn static_table(o: &mut String, s: &Section) {
    let _ = writeln!(o, "<section id=\"{}\">", escape(s.id));
    let _ = writeln!(o, "<h2>{}</h2>", escape(&s.title));
    if let Some(c) = &s.caption {
        let _ = writeln!(o, "<p class=\"caption\">{}</p>", escape(c));
    }
    if s.rows.is_empty() {
        o.push_str("<p>(none)</p>\n</section>\n");
        return;
    }
    o.push_str("<table>\n<thead><tr>");
    for (i, h) in s.headers.iter().enumerate() {
        let _ = write!(o, "<th{}>{}</th>", num_class(s, i), escape(h));
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for r in &s.rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let _ = write!(o, "<td{}>{}</td>", num_class(s, i), escape(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
    if let Some(m) = s.more_line() {
        let _ = writeln!(o, "<p class=\"more\">{}</p>", escape(&m));
    }
    o.push_str("</section>\n");
}

fn num_class(s: &Section, col: usize) -> &'static str {
    if s.numeric.get(col).copied().unwrap_or(false) {
        " class=\"n\""
    } else {
        ""
    }
}

// ---------------------------------------------------------------------------------------
// The impact page.

/// Write the explorable impact page of `report`, embedding at most `max_events` of the
/// events the report carries (`Report::events`, best-ranked first) and saying how many of
/// each kind were left out.
pub fn render_report(report: &Report, max_events: usize, out: &mut dyn Write) -> io::Result<()> {
    let events = &report.events[..report.events.len().min(max_events)];
    let embedded = Embedded::of(report, events, max_events);
    // Shown moved kinds first, each in time order (the sample's own order within a kind
    // is a hash, which reads as random).
    let mut shown: Vec<&EventRow> = events.iter().collect();
    shown.sort_by(|a, b| {
        (class_of(a), &a.created_at, &a.request_id).cmp(&(
            class_of(b),
            &b.created_at,
            &b.request_id,
        ))
    });
    let data = PageData {
        report,
        events: EventTable::of(&shown),
        embedded: &embedded,
    };
    let json = script_json(&data)?;
    let title = title_of(&report.title);
    let doc = super::doc_of(report, MatrixLayout::Grid);

    let mut o = String::with_capacity(64 * 1024 + json.len());
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(o, "<title>{}</title>", escape(title));
    let _ = writeln!(o, "<style>{PAGE_STYLE}</style>");
    o.push_str("</head>\n<body>\n<header>\n");
    let _ = writeln!(o, "<h1>{}</h1>", escape(title));
    if !report.tenant.is_empty() {
        let _ = writeln!(
            o,
            "<p class=\"tenant\">Tenant: <span id=\"tenant\">{}</span></p>",
            escape(&report.tenant)
        );
    }
    let _ = writeln!(
        o,
        "<p class=\"answer\" id=\"headline\">{}</p>",
        escape(&doc.headline)
    );
    let _ = writeln!(o, "<p id=\"subheadline\">{}</p>", escape(&doc.subheadline));
    for c in &doc.caveats {
        let _ = writeln!(o, "<p class=\"caveat\">{}</p>", escape(c));
    }
    o.push_str("</header>\n<main>\n");
    tiles(&mut o, report);
    // A partial answer and the changes come before any number is explained.
    for l in &doc.lists {
        if l.id != "notes" {
            titled_list(&mut o, l.id, &l.title, &l.items);
        }
    }
    heat_map(&mut o, report);
    charts(&mut o, report);
    events_panel(&mut o, &embedded);

    let mut all = report.clone();
    all.top = 0;
    for s in sections(&all, MatrixLayout::Grid) {
        // The summary is the tiles and the grid is the heat map, with the same numbers.
        if s.id != "transitions" && s.id != "summary" {
            data_table(&mut o, &s);
        }
    }
    for l in &doc.lists {
        if l.id == "notes" {
            titled_list(&mut o, l.id, &l.title, &l.items);
        }
    }
    o.push_str("</main>\n");
    let _ = writeln!(
        o,
        "<footer><p>careplay {}: one self-contained file; every table holds all its rows.</p></footer>",
        env!("CARGO_PKG_VERSION")
    );
    o.push_str("<script type=\"application/json\" id=\"careplay-data\">");
    o.push_str(&json);
    o.push_str("</script>\n<script>\n");
    o.push_str(PAGE_SCRIPT);
    o.push_str("</script>\n</body>\n</html>\n");
    out.write_all(o.as_bytes())
}

/// Everything the page's script reads.
#[derive(Serialize)]
struct PageData<'a> {
    /// The report exactly as `--format json` writes it.
    report: &'a Report,
    events: EventTable,
    embedded: &'a Embedded,
}

/// Which events the page holds, of each rank class.
#[derive(Serialize)]
struct Embedded {
    /// The most events this page was allowed to hold.
    limit: usize,
    /// Whether the replay kept event rows at all.
    collected: bool,
    events: u64,
    of: u64,
    classes: Vec<ClassCount>,
    /// One sentence for the page: what is embedded and what is left out.
    note: String,
}

#[derive(Serialize)]
struct ClassCount {
    class: &'static str,
    embedded: u64,
    total: u64,
}

impl Embedded {
    fn of(report: &Report, events: &[EventRow], max_events: usize) -> Embedded {
        let t = &report.totals;
        let undecided_unchanged = report.transition(Outcome::Unknown, Outcome::Unknown).events;
        let totals = [
            t.newly_blocked.events,
            t.newly_challenged.events,
            t.newly_unknown.events,
            t.relieved.events,
            undecided_unchanged,
            t.all
                .events
                .saturating_sub(t.moved.events)
                .saturating_sub(undecided_unchanged),
        ];
        let mut kept = [0u64; 6];
        for e in events {
            if let Some(k) = kept.get_mut(usize::from(class_of(e))) {
                *k += 1;
            }
        }
        let classes: Vec<ClassCount> = CLASSES
            .iter()
            .zip(totals.iter().zip(kept))
            .map(|(class, (&total, embedded))| ClassCount {
                class,
                embedded,
                total,
            })
            .collect();
        let limit = max_events.min(report.events_limit);
        let collected = report.events_limit > 0;
        let n = events.len() as u64;
        let note = if !collected || max_events == 0 {
            "No events are embedded in this page (the replay kept no event rows); \
             every number and table covers all events."
                .to_string()
        } else if n >= t.all.events {
            format!(
                "All {} events are embedded (the limit is {}).",
                t.all.events, limit
            )
        } else {
            let left: Vec<String> = classes
                .iter()
                .filter(|c| c.total > c.embedded)
                .map(|c| {
                    format!(
                        "{} of {} {}",
                        c.total - c.embedded,
                        c.total,
                        c.class.replace('_', " ")
                    )
                })
                .collect();
            format!(
                "{n} of {} events are embedded (the limit is {limit}; \
                 moved events first, then undecided, then the rest, each kind sampled \
                 evenly by request id). Left out: {}. Every number, chart and table \
                 covers all events; --events-out writes every event.",
                t.all.events,
                left.join(", ")
            )
        };
        Embedded {
            limit,
            collected,
            events: n,
            of: t.all.events,
            classes,
            note,
        }
    }
}

/// Events as columns of indexes into one string table: explanations, policy, app and
/// location names repeat across thousands of events, so the page stays small.
#[derive(Serialize, Default)]
struct EventTable {
    columns: Vec<&'static str>,
    /// Which columns hold a list of strings (the others hold one string or null).
    lists: Vec<&'static str>,
    strings: Vec<String>,
    /// One array per event, in `columns` order: a string index, -1 for none, or an array
    /// of string indexes for a list column.
    rows: Vec<Vec<Cell>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Cell {
    One(i64),
    Many(Vec<i64>),
}

const EVENT_COLUMNS: [&str; 21] = [
    "request_id",
    "created_at",
    "event_type",
    "user_id",
    "user_principal_name",
    "user_display_name",
    "app_id",
    "app_display_name",
    "resource_display_name",
    "ip",
    "location",
    "client_app_type",
    "baseline_outcome",
    "candidate_outcome",
    "change",
    "baseline_policies_applied",
    "candidate_policies_applied",
    "candidate_demand",
    "changed_by",
    "explanation",
    "unknown_causes",
];

impl EventTable {
    fn of(events: &[&EventRow]) -> EventTable {
        let mut t = EventTable {
            columns: EVENT_COLUMNS.to_vec(),
            lists: vec![
                "baseline_policies_applied",
                "candidate_policies_applied",
                "changed_by",
                "unknown_causes",
            ],
            ..EventTable::default()
        };
        let mut index: HashMap<String, i64> = HashMap::new();
        let mut id = |s: &str| -> i64 {
            if let Some(&i) = index.get(s) {
                return i;
            }
            let i = t.strings.len() as i64;
            t.strings.push(s.to_owned());
            index.insert(s.to_owned(), i);
            i
        };
        let mut rows = Vec::with_capacity(events.len());
        for e in events {
            let mut opt = |s: Option<&str>| Cell::One(s.map_or(-1, &mut id));
            let mut row = vec![
                opt(Some(&e.request_id)),
                opt(e.created_at.as_deref()),
                opt(Some(&e.event_type)),
                opt(e.user_id.as_deref()),
                opt(e.user_principal_name.as_deref()),
                opt(e.user_display_name.as_deref()),
                opt(e.app_id.as_deref()),
                opt(e.app_display_name.as_deref()),
                opt(e.resource_display_name.as_deref()),
                opt(e.ip.as_deref()),
                opt(Some(&e.location)),
                opt(Some(&e.client_app_type)),
                opt(Some(e.baseline_outcome.as_str())),
                opt(Some(e.candidate_outcome.as_str())),
                opt(Some(
                    Move::of(e.baseline_outcome, e.candidate_outcome).as_str(),
                )),
            ];
            let mut many = |v: &[String]| Cell::Many(v.iter().map(|s| id(s)).collect());
            row.push(many(&e.baseline_policies_applied));
            row.push(many(&e.candidate_policies_applied));
            row.push(Cell::One(id(&e.candidate_demand)));
            row.push(Cell::Many(e.changed_by.iter().map(|s| id(s)).collect()));
            row.push(Cell::One(id(&e.explanation)));
            row.push(Cell::Many(
                e.unknown_causes
                    .iter()
                    .map(|c| id(&format!("{}: {}", c.cause, c.reason)))
                    .collect(),
            ));
            rows.push(row);
        }
        t.rows = rows;
        t
    }
}

/// The CSS class of a move kind (colours per outcome and move live in page.css).
fn move_class(m: Move) -> &'static str {
    match m {
        Move::Unchanged => "mv-unchanged",
        Move::NewlyBlocked => "mv-newly_blocked",
        Move::NewlyChallenged => "mv-newly_challenged",
        Move::NewlyUnknown => "mv-newly_unknown",
        Move::Relieved => "mv-relieved",
    }
}

fn tiles(o: &mut String, r: &Report) {
    let t = &r.totals;
    o.push_str("<section id=\"tiles\" aria-label=\"Headline figures\">\n<div class=\"tiles\">\n");
    for (metric, label, c, m) in [
        (
            "newly_blocked",
            "newly blocked",
            t.newly_blocked,
            Move::NewlyBlocked,
        ),
        (
            "newly_challenged",
            "newly challenged",
            t.newly_challenged,
            Move::NewlyChallenged,
        ),
        (
            "newly_unknown",
            "newly unknown",
            t.newly_unknown,
            Move::NewlyUnknown,
        ),
        ("relieved", "relieved", t.relieved, Move::Relieved),
    ] {
        let _ = writeln!(
            o,
            "<div class=\"tile {}\" data-metric=\"{metric}\"><div class=\"label\">{label}</div>\
             <div class=\"big\"><span class=\"events\">{}</span> events</div>\
             <div class=\"small\"><span class=\"users\">{}</span> users</div></div>",
            move_class(m),
            c.events,
            c.users
        );
    }
    // The undecided share, and what it leaves out: the causes, largest first.
    let share = crate::report::pct::share(t.undecided.events, t.all.events);
    let _ = write!(
        o,
        "<div class=\"tile undecided\" data-metric=\"undecided\"><div class=\"label\">undecided \
         (baseline or candidate unknown)</div><div class=\"big\"><span class=\"share\">{share}</span></div>\
         <div class=\"small\"><span class=\"events\">{}</span> of <span class=\"of\">{}</span> events, \
         <span class=\"users\">{}</span> users</div>",
        t.undecided.events, t.all.events, t.undecided.users
    );
    if r.undecided_by_cause.is_empty() {
        o.push_str("<div class=\"small\">every event was decided</div>");
    } else {
        o.push_str("<ul class=\"causes\">");
        for c in r.undecided_by_cause.iter().take(3) {
            let _ = write!(
                o,
                "<li><b>{}</b> events: {}</li>",
                c.events,
                escape(&c.what)
            );
        }
        if r.undecided_by_cause.len() > 3 {
            let _ = write!(
                o,
                "<li>{} more causes in the table below</li>",
                r.undecided_by_cause.len() - 3
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</div>\n");
    let _ = writeln!(
        o,
        "<div class=\"tile\" data-metric=\"all\"><div class=\"label\">replayed</div>\
         <div class=\"big\"><span class=\"events\">{}</span> events</div>\
         <div class=\"small\"><span class=\"users\">{}</span> users; <span class=\"moved\">{}</span> moved</div></div>",
        t.all.events, t.all.users, t.moved.events
    );
    o.push_str("</div>\n</section>\n");
}

fn titled_list(o: &mut String, id: &str, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "<section id=\"list-{}\">", escape(id));
    list(o, title, items);
    o.push_str("</section>\n");
}

/// The transition matrix: each cell coloured by its move kind, its strength by the share
/// of events it holds (square root, so a handful of events still shows).
fn heat_map(o: &mut String, r: &Report) {
    let max = r.transitions.iter().map(|t| t.events).max().unwrap_or(0);
    o.push_str("<section id=\"matrix\">\n<h2>Outcome transitions</h2>\n");
    o.push_str("<p class=\"caption\">events (distinct users); rows = baseline, columns = candidate; the colour says the kind of move, its strength the number of events</p>\n");
    o.push_str("<table class=\"heat\" id=\"heat\">\n<thead><tr><th>baseline \\ candidate</th>");
    for c in Outcome::ALL {
        let _ = write!(o, "<th class=\"n oc-{0}\">{0}</th>", c.as_str());
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for b in Outcome::ALL {
        let _ = write!(o, "<tr><th class=\"oc-{0}\">{0}</th>", b.as_str());
        for c in Outcome::ALL {
            let n = r.transition(b, c);
            let m = Move::of(b, c);
            let alpha = if max == 0 || n.events == 0 {
                0.0
            } else {
                0.12 + 0.88 * (n.events as f64 / max as f64).sqrt()
            };
            let _ = write!(
                o,
                "<td class=\"n hm {}\" data-baseline=\"{}\" data-candidate=\"{}\" data-events=\"{}\" \
                 style=\"--a:{alpha:.3}\" title=\"{} -> {}: {} events, {} users\">{}<span class=\"u\"> ({})</span></td>",
                move_class(m),
                b.as_str(),
                c.as_str(),
                n.events,
                b.as_str(),
                c.as_str(),
                n.events,
                n.users,
                n.events,
                n.users
            );
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
    legend(o);
    o.push_str("</section>\n");
}

fn legend(o: &mut String) {
    o.push_str("<p class=\"legend\">");
    for m in [
        Move::NewlyBlocked,
        Move::NewlyChallenged,
        Move::NewlyUnknown,
        Move::Relieved,
        Move::Unchanged,
    ] {
        let _ = write!(
            o,
            "<span class=\"key {}\"></span>{} ",
            move_class(m),
            m.as_str().replace('_', " ")
        );
    }
    o.push_str("</p>\n");
}

fn charts(o: &mut String, r: &Report) {
    o.push_str("<section id=\"charts\">\n<h2>Where the moves are</h2>\n");
    legend(o);
    o.push_str("<div class=\"charts\">\n");
    let bars: [(&str, &str, &[MoveRow]); 3] = [
        ("policy", "Moved events by policy", &r.by_policy),
        ("app", "Moved events by app", &r.by_app),
        ("location", "Moved events by location", &r.by_location),
    ];
    for (id, title, rows) in bars {
        chart::bars(o, id, title, rows);
    }
    chart::days(o, "Moved events by day (UTC)", &r.by_day);
    o.push_str("</div>\n</section>\n");
}

fn events_panel(o: &mut String, e: &Embedded) {
    o.push_str("<section id=\"events\">\n<h2>Events</h2>\n");
    let _ = writeln!(
        o,
        "<p class=\"note\" id=\"events-note\" data-embedded=\"{}\" data-of=\"{}\">{}</p>",
        e.events,
        e.of,
        escape(&e.note)
    );
    o.push_str(
        "<noscript><p>Scripts are off: the event list, sorting, filtering and drill-down need \
         them; every table below is complete without them.</p></noscript>\n",
    );
    o.push_str(
        "<p class=\"caption\">Pick a user, app, policy, location, client app type or day in a \
         table below to see its events with their explanations.</p>\n",
    );
    o.push_str("<div class=\"controls\" id=\"events-controls\"></div>\n");
    o.push_str(
        "<div class=\"scroll box\"><table class=\"data events\" id=\"events-table\"></table></div>\n",
    );
    o.push_str("<div class=\"controls\" id=\"events-more\"></div>\n");
    o.push_str("</section>\n");
}

/// Which tables' first column opens the event list, and on which event field.
fn drill_kind(section: &str) -> Option<&'static str> {
    match section {
        "by_user" => Some("user"),
        "by_app" => Some("app"),
        "by_policy" => Some("policy"),
        "by_location" => Some("location"),
        "by_client_app_type" => Some("client"),
        "by_day" => Some("day"),
        _ => None,
    }
}

/// A complete, sortable and filterable table (the script adds the controls; without it
/// the table is still whole).
fn data_table(o: &mut String, s: &Section) {
    let _ = writeln!(
        o,
        "<section id=\"{0}\" class=\"table-section\" data-table=\"{0}\">",
        escape(s.id)
    );
    let _ = writeln!(o, "<h2>{}</h2>", escape(&s.title));
    if let Some(c) = &s.caption {
        let _ = writeln!(o, "<p class=\"caption\">{}</p>", escape(c));
    }
    if s.rows.is_empty() {
        o.push_str("<p>(none)</p>\n</section>\n");
        return;
    }
    let drill = drill_kind(s.id);
    // The id column, when the table has one, is what a drill-down matches first.
    let id_col = s.headers.iter().position(|h| h == "id");
    let _ = writeln!(
        o,
        "<div class=\"scroll{}\"><table class=\"data sortable\" id=\"table-{}\" data-rows=\"{}\">",
        // A long table scrolls in its own box on screen (its header stays in view);
        // printed, it runs on.
        if s.rows.len() > 25 { " box" } else { "" },
        escape(s.id),
        s.rows.len()
    );
    o.push_str("<thead><tr>");
    for (i, h) in s.headers.iter().enumerate() {
        let numeric = s.numeric.get(i).copied().unwrap_or(false);
        let mv = match h.as_str() {
            "newly blocked" => " mv-newly_blocked",
            "newly challenged" => " mv-newly_challenged",
            "newly unknown" => " mv-newly_unknown",
            "relieved" => " mv-relieved",
            _ => "",
        };
        let _ = write!(
            o,
            "<th class=\"{}{mv}\" data-type=\"{}\" aria-sort=\"none\" tabindex=\"0\">{}</th>",
            if numeric { "n" } else { "t" },
            if numeric { "number" } else { "text" },
            escape(h)
        );
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for r in &s.rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let numeric = s.numeric.get(i).copied().unwrap_or(false);
            match (i, drill) {
                (0, Some(kind)) => {
                    let id = id_col.and_then(|k| r.get(k)).map_or("", String::as_str);
                    let _ = write!(
                        o,
                        "<td><button type=\"button\" class=\"drill\" data-kind=\"{kind}\" \
                         data-id=\"{}\" data-name=\"{}\" title=\"Show its events\">{}</button></td>",
                        escape(id),
                        escape(c),
                        escape(c)
                    );
                }
                _ if numeric => {
                    let _ = write!(o, "<td class=\"n\">{}</td>", escape(c));
                }
                _ => {
                    let _ = write!(o, "<td>{}</td>", escape(c));
                }
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table></div>\n</section>\n");
}
