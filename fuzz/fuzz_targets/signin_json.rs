//! The JSON family readers (Graph pages/arrays/JSON Lines, PowerShell, Log Analytics,
//! diagnostic records, Event Hub bodies), sniffed or forced by the first byte.
#![no_main]
use careplay::signin::Format;
use careplay_fuzz::{load_bytes, pick, small_caps};
use libfuzzer_sys::fuzz_target;

const FORMATS: &[Option<Format>] = &[
    None,
    Some(Format::Graph),
    Some(Format::Powershell),
    Some(Format::LaJson),
    Some(Format::Diagnostic),
    Some(Format::EventHub),
];

fuzz_target!(|data: &[u8]| {
    small_caps();
    let (format, body) = pick(data, FORMATS);
    load_bytes("signins.json", body, format);
});
