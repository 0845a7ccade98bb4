//! The device-filter rule language: lexer, parser, property check, and the evaluator
//! (through a policy whose deviceFilter is the fuzzed rule, evaluated on the seed events).
#![no_main]
use careplay::diag::Origin;
use careplay::engine::device_filter::{lex, parse, parse_attribute_rule, parse_device_rule};
use careplay::engine::TenantInputs;
use careplay::policy;
use careplay_fuzz::evaluate_all;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(rule) = std::str::from_utf8(data) else {
        return;
    };
    let _ = lex::lex(rule);
    let _ = parse::parse(rule);
    let _ = parse_attribute_rule(rule);
    if parse_device_rule(rule).is_err() {
        return;
    }
    let mut out = Vec::new();
    for mode in ["include", "exclude"] {
        let p = serde_json::json!({
            "id": format!("fuzz-{mode}"), "displayName": "fuzz", "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "devices": {"deviceFilter": {"mode": mode, "rule": rule}}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}
        });
        let (ps, _) = policy::parse_policies_str(&p.to_string(), &Origin::file("fuzz.json"));
        out.extend(ps.into_iter().map(|p| p.policy));
    }
    evaluate_all(&out, &TenantInputs::default());
});
