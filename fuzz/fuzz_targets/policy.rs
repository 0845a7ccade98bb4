//! Policy JSON (any envelope the loader accepts) -> validate + lint -> compile ->
//! evaluate the seed tenant's events.
#![no_main]
use careplay::diag::Origin;
use careplay::engine::TenantInputs;
use careplay::policy::{self, lint, validate, TenantData};
use careplay_fuzz::evaluate_all;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (loaded, _rejected) = policy::parse_policies_str(text, &Origin::file("fuzz.json"));
    let tenant = TenantData::default();
    let _ = validate::validate(&loaded, &tenant);
    let _ = lint::lint(&loaded, &tenant);
    let policies: Vec<_> = loaded.into_iter().map(|p| p.policy).collect();
    evaluate_all(&policies, &TenantInputs::default());
});
