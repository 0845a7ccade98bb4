//! Inline SVG charts of moved events, drawn here so the page needs no script to show
//! them (and prints as drawn). Each bar is split by move kind; every text is escaped.

use std::fmt::Write as _;

use super::escape;
use crate::report::model::MoveRow;

/// Rows shown per bar chart; the table under the charts has them all.
const BARS: usize = 15;
/// Characters of a label before it is cut (the full label is in the bar's tooltip).
const LABEL: usize = 38;

/// One kind of move: its label and its count in a row.
type Kind = (&'static str, fn(&MoveRow) -> u64);

const KINDS: [Kind; 4] = [
    ("newly blocked", |r| r.newly_blocked),
    ("newly challenged", |r| r.newly_challenged),
    ("newly unknown", |r| r.newly_unknown),
    ("relieved", |r| r.relieved),
];
const KIND_CLASS: [&str; 4] = [
    "mv-newly_blocked",
    "mv-newly_challenged",
    "mv-newly_unknown",
    "mv-relieved",
];

fn cut(s: &str) -> String {
    if s.chars().count() <= LABEL {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(LABEL - 1).collect();
        t.push('…');
        t
    }
}

fn tooltip(r: &MoveRow) -> String {
    let mut t = format!("{}: {} moved events", r.name, r.events);
    for (label, get) in KINDS {
        let n = get(r);
        if n > 0 {
            let _ = write!(t, ", {n} {label}");
        }
    }
    t
}

/// Horizontal bars, largest first, with the count at the end of each bar.
pub(super) fn bars(o: &mut String, id: &str, title: &str, rows: &[MoveRow]) {
    let _ = writeln!(
        o,
        "<figure class=\"chart\" id=\"chart-{id}\"><figcaption>{}</figcaption>",
        escape(title)
    );
    if rows.is_empty() {
        o.push_str("<p class=\"caption\">(no moved events)</p></figure>\n");
        return;
    }
    let shown = &rows[..rows.len().min(BARS)];
    let max = shown.iter().map(|r| r.events).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (250.0, 300.0, 20.0);
    let width = label_w + bar_w + 60.0;
    let height = row_h * shown.len() as f64 + 4.0;
    let _ = writeln!(
        o,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for (i, r) in shown.iter().enumerate() {
        let y = row_h * i as f64 + 2.0;
        let _ = writeln!(
            o,
            "<g class=\"bar\"><title>{}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"lbl\">{}</text>",
            escape(&tooltip(r)),
            label_w - 6.0,
            y + 13.0,
            escape(&cut(&r.name))
        );
        let mut x = label_w;
        for (k, (_, get)) in KINDS.iter().enumerate() {
            let n = get(r);
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max as f64;
            let _ = writeln!(
                o,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"{}\"/>",
                KIND_CLASS[k],
                w.max(1.0),
                row_h - 4.0
            );
            x += w;
        }
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{}\" class=\"num\">{}</text></g>",
            x + 4.0,
            y + 13.0,
            r.events
        );
    }
    o.push_str("</svg>\n");
    if rows.len() > shown.len() {
        let _ = writeln!(
            o,
            "<p class=\"caption\">the {} largest of {}; the table below has every row</p>",
            shown.len(),
            rows.len()
        );
    }
    o.push_str("</figure>\n");
}

/// `MM-DD` of a `YYYY-MM-DD` day (the tooltip has the whole date).
fn short_day(day: &str) -> &str {
    match day.get(5..) {
        Some(md) if day.len() == 10 => md,
        _ => day,
    }
}

/// Columns per day, oldest first (every day with a moved event).
pub(super) fn days(o: &mut String, title: &str, rows: &[MoveRow]) {
    let _ = writeln!(
        o,
        "<figure class=\"chart\" id=\"chart-day\"><figcaption>{}</figcaption>",
        escape(title)
    );
    if rows.is_empty() {
        o.push_str("<p class=\"caption\">(no moved events)</p></figure>\n");
        return;
    }
    let max = rows.iter().map(|r| r.events).max().unwrap_or(1).max(1);
    let (plot_h, base, left) = (200.0, 215.0, 50.0);
    // A fixed drawing width, so a few days do not blow the text up to the page's width.
    let width = 610.0;
    let col = ((width - left - 10.0) / rows.len() as f64).clamp(2.0, 60.0);
    let _ = writeln!(
        o,
        "<svg viewBox=\"0 0 {width:.1} 240\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"num\">{max}</text>\
         <text x=\"{}\" y=\"{base}\" text-anchor=\"end\" class=\"num\">0</text>\
         <line x1=\"{left}\" y1=\"{base}\" x2=\"{width:.1}\" y2=\"{base}\" class=\"axis\"/>",
        left - 4.0,
        base - plot_h + 4.0,
        left - 4.0
    );
    // Label every k-th day so labels never overlap.
    let every = (30.0 / col).ceil().max(1.0) as usize;
    for (i, r) in rows.iter().enumerate() {
        let x = left + col * i as f64;
        let _ = write!(o, "<g class=\"bar\"><title>{}</title>", escape(&tooltip(r)));
        let mut y = base;
        for (k, (_, get)) in KINDS.iter().enumerate() {
            let n = get(r);
            if n == 0 {
                continue;
            }
            let h = (plot_h * n as f64 / max as f64).max(1.0);
            y -= h;
            let _ = write!(
                o,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\"/>",
                KIND_CLASS[k],
                x + 1.0,
                (col - 2.0).max(1.0)
            );
        }
        if i % every == 0 {
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{}\" class=\"lbl\" text-anchor=\"middle\">{}</text>",
                x + col / 2.0,
                base + 14.0,
                escape(short_day(&r.name))
            );
        }
        o.push_str("</g>\n");
    }
    o.push_str("</svg>\n</figure>\n");
}
