//! V10: filters (device, application, service principal) have a mode, a rule of at most
//! 3072 characters, and a rule that is at least well-formed: balanced parentheses and
//! quotes (the full grammar, evaluation.md §3.8, is checked by the engine's parser).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::model::Filter;
use crate::policy::view;

const MAX_RULE: usize = 3072;

fn check_filter(f: &Filter, path: &str, hits: &mut Vec<Hit>) {
    match f
        .mode
        .as_deref()
        .map(|m| m.trim().to_ascii_lowercase())
        .as_deref()
    {
        Some("include") | Some("exclude") => {}
        other => hits.push(Hit::new(
            format!("{path}.mode"),
            format!("filter mode {other:?} is not include or exclude"),
        )),
    }
    let rule = f.rule.as_deref().unwrap_or("").trim();
    if rule.is_empty() {
        hits.push(Hit::new(format!("{path}.rule"), "empty filter rule"));
        return;
    }
    let n = rule.chars().count();
    if n > MAX_RULE {
        hits.push(Hit::new(
            format!("{path}.rule"),
            format!("filter rule has {n} characters (limit {MAX_RULE})"),
        ));
    }
    if let Some(problem) = shape_problem(rule) {
        hits.push(Hit::new(
            format!("{path}.rule"),
            format!("filter rule is malformed: {problem}"),
        ));
    }
}

/// Unbalanced parentheses or an unterminated string literal.
fn shape_problem(rule: &str) -> Option<String> {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for (i, ch) in rule.chars().enumerate() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth < 0 {
                    return Some(format!("unmatched `)` at character {}", i + 1));
                }
            }
            _ => {}
        }
    }
    if quote.is_some() {
        Some("unterminated string literal".to_string())
    } else if depth > 0 {
        Some(format!("{depth} unclosed `(`"))
    } else {
        None
    }
}

define_rule!(
    FilterRule,
    "V10",
    "filter-rule",
    Severity::Error,
    "filters have mode include|exclude and a well-formed rule of at most 3072 characters",
    |p, t| {
        let mut hits = Vec::new();
        let Some(c) = view::conditions(p) else {
            return hits;
        };
        if let Some(f) = c.devices.as_ref().and_then(|d| d.device_filter.as_ref()) {
            check_filter(f, ".conditions.devices.deviceFilter", &mut hits);
        }
        if let Some(f) = c
            .applications
            .as_ref()
            .and_then(|a| a.application_filter.as_ref())
        {
            check_filter(f, ".conditions.applications.applicationFilter", &mut hits);
        }
        if let Some(f) = c
            .client_applications
            .as_ref()
            .and_then(|a| a.service_principal_filter.as_ref())
        {
            check_filter(
                f,
                ".conditions.clientApplications.servicePrincipalFilter",
                &mut hits,
            );
        }
        hits
    }
);

#[cfg(test)]
mod tests {
    use super::shape_problem;

    #[test]
    fn shapes() {
        assert_eq!(
            shape_problem(r#"device.model -eq "a(b" and (device.x -eq 'c')"#),
            None
        );
        assert!(shape_problem("(device.model -eq \"a\"").is_some());
        assert!(shape_problem("device.model -eq \"a").is_some());
        assert!(shape_problem("a)").is_some());
    }
}
