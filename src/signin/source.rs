//! Opening inputs: path expansion (files, folders recursively, globs: [`crate::walk`]),
//! gzip by magic bytes, UTF-8 BOM stripping, UTF-16 decoding, and a content prefix for
//! sniffing.

use super::error::LoadError;
use crate::walk::{self, Walked};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Chain, Cursor, Read};
use std::path::{Path, PathBuf};

/// Bytes sniffed before choosing a reader (signin-logs.md §2: ~64 KiB).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// File extensions picked up when walking a folder (explicit files may have any name).
pub const FOLDER_EXTS: &[&str] = &[
    "json", "jsonl", "ndjson", "csv", "parquet", "gz", "log", "txt",
];

/// Expand the command-line inputs into files, each real file once, in a stable order
/// ([`crate::walk`], shared with the policy loader); named pipes, sockets and devices are
/// returned unopened in `skipped` for the ledger to count.
pub fn expand(paths: &[PathBuf]) -> Result<Walked, LoadError> {
    if paths.is_empty() {
        return Err(LoadError::NoInput);
    }
    Ok(walk::expand(paths, &|p| {
        walk::has_extension(p, FOLDER_EXTS)
    })?)
}

/// Decompressed content: the sniffed prefix replayed in front of the rest.
pub type Content = BufReader<Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>>;

/// An opened input: decompressed, BOM stripped, with its first bytes kept for sniffing and
/// replayed in front of the rest.
pub struct Opened {
    pub prefix: Vec<u8>,
    pub reader: Content,
    pub compressed: bool,
    /// The encoding transcoded to UTF-8 (`UTF-16LE`/`UTF-16BE`), if any: such a file is
    /// never mapped (the mapped reader reads the bytes on disk).
    pub transcoded: Option<&'static str>,
    /// Size on disk.
    pub size: u64,
}

/// Open a file. `wrap` can wrap the raw file reader (progress bars count disk bytes).
pub fn open(
    path: &Path,
    wrap: impl FnOnce(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
) -> Result<Opened, LoadError> {
    let io = |e| LoadError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let file = File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            LoadError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            io(e)
        }
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut raw = BufReader::new(wrap(Box::new(file)));
    let magic = raw.fill_buf().map_err(io)?;
    let compressed = magic.starts_with(&[0x1f, 0x8b]);
    let mut inner: Box<dyn Read + Send> = if compressed {
        Box::new(MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    (&mut inner)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)
        .map_err(io)?;
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        prefix.drain(..3);
    }
    // UTF-16 with a byte order mark (Windows PowerShell 5.1 `Out-File` writes UTF-16 LE by
    // default): transcoded to UTF-8 as it is read, so every reader sees UTF-8. Only a BOM
    // turns this on; UTF-8 input pays one two-byte comparison.
    let utf16 = match prefix.get(..2) {
        Some([0xFF, 0xFE]) => Some(encoding_rs::UTF_16LE),
        Some([0xFE, 0xFF]) => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(encoding) = utf16 {
        let raw: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(inner));
        inner = Box::new(Utf16ToUtf8::new(raw, encoding));
        prefix = Vec::with_capacity(SNIFF_BYTES);
        (&mut inner)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut prefix)
            .map_err(io)?;
    }
    // A prefix of only whitespace is not an empty file: it may be followed by records
    // (issue 19: 64 KiB of blank lines made the file "empty" and its records were lost).
    let mut head = Cursor::new(prefix.clone());
    if prefix.len() == SNIFF_BYTES && prefix.iter().all(u8::is_ascii_whitespace) {
        let (lead, rest) = skip_whitespace(&mut inner, &prefix).map_err(io)?;
        // The readers count lines: the blank ones are replayed as line breaks (the spaces
        // between them mean nothing to any format), without holding them in memory.
        inner = Box::new(
            std::io::repeat(b'\n')
                .take(lead)
                .chain(Cursor::new(rest.clone()))
                .chain(inner),
        );
        head = Cursor::new(Vec::new());
        prefix = rest;
    }
    let reader = BufReader::with_capacity(256 * 1024, head.chain(inner));
    Ok(Opened {
        prefix,
        reader,
        compressed,
        transcoded: utf16.map(|e| e.name()),
        size,
    })
}

/// Read past a run of whitespace that fills the sniff window: the number of line breaks
/// in it, and the first [`SNIFF_BYTES`] after it (empty when the file is only whitespace).
fn skip_whitespace(
    inner: &mut Box<dyn Read + Send>,
    prefix: &[u8],
) -> std::io::Result<(u64, Vec<u8>)> {
    let lines = |b: &[u8]| memchr::memchr_iter(b'\n', b).count() as u64;
    let mut lead = lines(prefix);
    let mut chunk = Vec::with_capacity(SNIFF_BYTES);
    loop {
        chunk.clear();
        (&mut *inner)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            return Ok((lead, Vec::new()));
        }
        match chunk.iter().position(|b| !b.is_ascii_whitespace()) {
            None => lead += lines(&chunk),
            Some(i) => {
                lead += lines(&chunk[..i]);
                let mut rest = chunk.split_off(i);
                let more = (SNIFF_BYTES - rest.len()) as u64;
                (&mut *inner).take(more).read_to_end(&mut rest)?;
                return Ok((lead, rest));
            }
        }
    }
}

/// A UTF-16 stream (byte order mark first) read as UTF-8. Invalid sequences (an unpaired
/// surrogate) become U+FFFD, which the readers then report where the row is.
struct Utf16ToUtf8 {
    inner: Box<dyn Read + Send>,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    /// Bytes of `input` not yet decoded start here.
    start: usize,
    end_of_input: bool,
    output: Vec<u8>,
    /// Bytes of `output` not yet returned start here.
    out_start: usize,
}

impl Utf16ToUtf8 {
    fn new(inner: Box<dyn Read + Send>, encoding: &'static encoding_rs::Encoding) -> Self {
        Utf16ToUtf8 {
            inner,
            // The BOM is consumed, not passed on.
            decoder: encoding.new_decoder_with_bom_removal(),
            input: Vec::new(),
            start: 0,
            end_of_input: false,
            output: Vec::with_capacity(128 * 1024),
            out_start: 0,
        }
    }
}

impl Read for Utf16ToUtf8 {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_start >= self.output.len() {
            self.output.clear();
            self.out_start = 0;
            if self.end_of_input && self.start >= self.input.len() {
                return Ok(0);
            }
            if self.start >= self.input.len() || self.input.is_empty() {
                self.input.resize(64 * 1024, 0);
                let n = self.inner.read(&mut self.input)?;
                self.input.truncate(n);
                self.start = 0;
                self.end_of_input = n == 0;
            }
            // UTF-16 code units become at most 3 bytes each, plus a pending surrogate.
            let room = (self.input.len() - self.start) / 2 * 3 + 16;
            self.output.resize(room, 0);
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..],
                &mut self.output,
                self.end_of_input,
            );
            self.start += read;
            self.output.truncate(written);
            if self.end_of_input && written == 0 {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.output.len() - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

/// Text that looks like UTF-16 without a byte order mark: NUL bytes at every other
/// position of ASCII text (the high bytes of UTF-16 code units below U+0100). Returns the
/// byte order. Plain UTF-8 sign-in exports hold no NUL byte at all.
pub fn utf16_without_bom(prefix: &[u8]) -> Option<&'static str> {
    let n = prefix.len().min(512) & !1;
    // Parquet is binary, never text.
    if n < 8 || prefix.starts_with(b"PAR1") {
        return None;
    }
    let pairs = n / 2;
    let (mut even_nul, mut odd_nul) = (0, 0);
    for pair in prefix[..n].chunks_exact(2) {
        even_nul += usize::from(pair[0] == 0 && pair[1] != 0);
        odd_nul += usize::from(pair[1] == 0 && pair[0] != 0);
    }
    if odd_nul * 10 >= pairs * 9 {
        Some("little-endian")
    } else if even_nul * 10 >= pairs * 9 {
        Some("big-endian")
    } else {
        None
    }
}
