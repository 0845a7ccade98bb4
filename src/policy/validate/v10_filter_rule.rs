//! V10: filters (device, application, service principal) have a mode and a rule the
//! evaluator can use. The rule is parsed by the evaluator's own parser
//! (`engine::device_filter`, evaluation.md §3.8: grammar, the 3072-character limit, and
//! for device filters every property and operator), so `policies check` / `lint` report
//! exactly the rules replay would call unusable; there is no second grammar here.
use crate::engine::device_filter::{parse_attribute_rule, parse_device_rule};
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::model::Filter;
use crate::policy::view;

/// Which parser a filter's rule goes through.
#[derive(Clone, Copy)]
enum Kind {
    Device,
    Attributes,
}

fn check_filter(f: &Filter, path: &str, kind: Kind, hits: &mut Vec<Hit>) {
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
    let parsed = match kind {
        Kind::Device => parse_device_rule(rule),
        Kind::Attributes => parse_attribute_rule(rule),
    };
    if let Err(problem) = parsed {
        hits.push(Hit::new(
            format!("{path}.rule"),
            format!("filter rule cannot be used (the evaluator would make it Unknown): {problem}"),
        ));
    }
}

define_rule!(
    FilterRule,
    "V10",
    "filter-rule",
    Severity::Error,
    "filters have mode include|exclude and a rule the evaluator can use (at most 3072 characters)",
    |p, t| {
        let mut hits = Vec::new();
        let Some(c) = view::conditions(p) else {
            return hits;
        };
        if let Some(f) = c.devices.as_ref().and_then(|d| d.device_filter.as_ref()) {
            check_filter(
                f,
                ".conditions.devices.deviceFilter",
                Kind::Device,
                &mut hits,
            );
        }
        if let Some(f) = c
            .applications
            .as_ref()
            .and_then(|a| a.application_filter.as_ref())
        {
            check_filter(
                f,
                ".conditions.applications.applicationFilter",
                Kind::Attributes,
                &mut hits,
            );
        }
        if let Some(f) = c
            .client_applications
            .as_ref()
            .and_then(|a| a.service_principal_filter.as_ref())
        {
            check_filter(
                f,
                ".conditions.clientApplications.servicePrincipalFilter",
                Kind::Attributes,
                &mut hits,
            );
        }
        hits
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(rule: &str) -> Vec<Hit> {
        let f = Filter {
            mode: Some("include".into()),
            rule: Some(rule.into()),
        };
        let mut h = Vec::new();
        check_filter(&f, "$.d", Kind::Device, &mut h);
        h
    }

    #[test]
    fn the_evaluators_verdict() {
        assert!(hits(r#"device.model -eq "a(b" -and (device.trustType -eq "AzureAD")"#).is_empty());
        for bad in [
            r#"device.displayName -match "^A""#,
            r#"device.colour -eq "red""#,
            r#"device.model -eq "a" -and"#,
            "()",
            "(device.model -eq \"a\"",
        ] {
            assert_eq!(hits(bad).len(), 1, "{bad}");
        }
    }
}
