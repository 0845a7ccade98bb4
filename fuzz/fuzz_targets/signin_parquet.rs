//! The canonical Parquet reader (files written by `careplay logs convert`). polars can
//! panic on corrupted files; the loader must turn that into a load error naming the file.
//! The library catches the decoder's panics at the reader boundary, so this target puts
//! the default panic hook back (libfuzzer-sys's hook aborts before any catch): a panic
//! that escapes the loader still aborts, through libfuzzer-sys's own catch_unwind.
#![no_main]
use careplay::signin::Format;
use careplay_fuzz::load_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let _ = std::panic::take_hook();
    });
    load_bytes("signins.parquet", data, Some(Format::Parquet));
});
