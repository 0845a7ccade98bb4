//! The CSV readers (admin-center download, its AuthDetails file, Log Analytics CSV),
//! sniffed or forced by the first byte.
#![no_main]
use careplay::signin::Format;
use careplay_fuzz::{load_bytes, pick, small_caps};
use libfuzzer_sys::fuzz_target;

const FORMATS: &[Option<Format>] = &[
    None,
    Some(Format::PortalCsv),
    Some(Format::LaCsv),
    Some(Format::PortalAuthDetails),
];

fuzz_target!(|data: &[u8]| {
    small_caps();
    let (format, body) = pick(data, FORMATS);
    load_bytes("InteractiveSignIns_2025.csv", body, format);
});
