//! The directory snapshot (users, groups, roles, service principals, devices) -> resolved
//! -> the seed policies compiled against it -> the seed events evaluated.
#![no_main]
use careplay::diag::Origin;
use careplay::engine::TenantInputs;
use careplay::policy::{self, Directory};
use careplay_fuzz::{evaluate_all, seed_policies};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = policy::parse_directory_str(text, &Origin::file("directory.json")) else {
        return;
    };
    let dir = Directory::from_file(file);
    let tenant = TenantInputs {
        directory: Some(&dir),
        ..TenantInputs::default()
    };
    evaluate_all(seed_policies(), &tenant);
});
