//! Shared pieces of the fuzz targets: a fuzzed input written to a file (the sign-in readers
//! are reached only through `signin::load`, the path every command takes), the row-ledger
//! invariant, and the seed tenant's events and policies to evaluate against.

use careplay::engine::{self, TenantInputs};
use careplay::model::facts::EventFacts;
use careplay::policy::{self, Policy};
use careplay::signin::{self, Format, LoadOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository root (the fuzz crate lives in `fuzz/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The bundled seed tenant.
pub fn seed() -> PathBuf {
    repo().join("datasets/seed-registration")
}

/// Caps small enough that the fuzzer reaches them (the CLI's defaults are MiB).
pub fn small_caps() {
    std::env::set_var("CAREPLAY_MAX_RECORD_BYTES", "65536");
}

/// Load `data` as one sign-in export file named `name`, with `format` forced (or sniffed),
/// and check the ledger: every row read is loaded, rejected or a duplicate, and every
/// loaded record is returned. A load error is a fine answer; a panic is the bug.
pub fn load_bytes(name: &str, data: &[u8], format: Option<Format>) -> Option<signin::Loaded> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join(name);
    std::fs::File::create(&path).ok()?.write_all(data).ok()?;
    let opts = LoadOptions {
        format,
        ..LoadOptions::default()
    };
    let loaded = signin::load(&[path], &opts).ok()?;
    check_ledger(&loaded);
    Some(loaded)
}

/// read = loaded + rejected + duplicates, per file and overall, and the records match.
pub fn check_ledger(loaded: &signin::Loaded) {
    let l = &loaded.ledger;
    assert_eq!(
        l.rows_read(),
        l.rows_loaded() + l.rows_rejected() + l.duplicates(),
        "row ledger does not balance: {l:?}"
    );
    assert_eq!(l.rows_loaded() as usize, loaded.records.len());
    assert_eq!(loaded.file_of.len(), loaded.records.len());
}

/// The seed tenant's events as engine facts (loaded once).
pub fn seed_facts() -> &'static [EventFacts] {
    static FACTS: OnceLock<Vec<EventFacts>> = OnceLock::new();
    FACTS.get_or_init(|| {
        let opts = LoadOptions::default();
        match signin::load(&[seed().join("signins")], &opts) {
            Ok(l) => l.records.iter().take(64).map(signin::to_facts).collect(),
            Err(_) => Vec::new(),
        }
    })
}

/// The seed tenant's policies (loaded once).
pub fn seed_policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let mut out = Vec::new();
        for e in std::fs::read_dir(seed().join("policies"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                let (ps, _) =
                    policy::parse_policies_str(&text, &careplay::diag::Origin::file(e.path()));
                out.extend(ps.into_iter().map(|p| p.policy));
            }
        }
        out
    })
}

/// Compile `policies` against `tenant` and evaluate every seed event.
pub fn evaluate_all(policies: &[Policy], tenant: &TenantInputs) {
    let set = engine::compile(policies, tenant);
    for f in seed_facts() {
        let _ = set.evaluate(f);
    }
}

/// The format chosen by the input's first byte (`None` = sniff), and the rest.
pub fn pick<'a>(data: &'a [u8], formats: &[Option<Format>]) -> (Option<Format>, &'a [u8]) {
    match data.split_first() {
        Some((b, rest)) => (formats[*b as usize % formats.len()], rest),
        None => (None, data),
    }
}
