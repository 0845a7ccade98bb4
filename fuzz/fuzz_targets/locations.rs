//! Named locations (IP ranges / CIDRs, countries) -> V11 checks -> the seed policies
//! compiled against them -> the seed events evaluated (IP range matching).
#![no_main]
use careplay::diag::Origin;
use careplay::engine::TenantInputs;
use careplay::policy::{self, validate};
use careplay_fuzz::{evaluate_all, seed_policies};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (loaded, _rejected) =
        policy::parse_named_locations_str(text, &Origin::file("namedLocations.json"));
    let _ = validate::validate_locations(&loaded);
    let locations: Vec<_> = loaded.into_iter().map(|l| l.location).collect();
    let tenant = TenantInputs {
        locations: &locations,
        ..TenantInputs::default()
    };
    evaluate_all(seed_policies(), &tenant);
});
