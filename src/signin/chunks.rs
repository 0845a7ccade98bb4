//! Where the parallel JSON reader gets its input: chunks of complete lines, either read
//! from any reader into reused buffers ([`ReadChunks`]) or mapped from a plain file
//! ([`MappedChunks`]), which skips the kernel's copy of every byte into a buffer (the
//! copy was ~10% of a streamed replay's CPU time, all of it on the thread that feeds the
//! pool). Both cut the same chunks from the same bytes; the reader's tests check that
//! both give the sequential reader's load.

use std::fs::File;
use std::io::{BufRead, Read, Seek, SeekFrom};
use std::ops::Deref;

/// One chunk of complete lines and the number of its first line.
pub(crate) struct Chunk {
    pub bytes: ChunkBytes,
    pub first_line: u64,
}

/// A chunk's bytes: a buffer, or a slice of a mapping of the file.
pub(crate) enum ChunkBytes {
    Owned(Vec<u8>),
    /// `map[..len]`: the complete lines of a mapping.
    Mapped {
        map: memmap2::Mmap,
        len: usize,
    },
}

impl Deref for ChunkBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            ChunkBytes::Owned(v) => v,
            ChunkBytes::Mapped { map, len } => &map[..*len],
        }
    }
}

impl ChunkBytes {
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            ChunkBytes::Owned(v) => v,
            m @ ChunkBytes::Mapped { .. } => m.to_vec(),
        }
    }
}

/// A source of chunks for the parallel reader.
pub(crate) trait ChunkSource {
    /// The next chunk: complete lines, at least the chunk size when the input has that
    /// many bytes left (or the start of one longer line); its `first_line` is left 0 for the
    /// caller to number. `None` at the end of the input.
    fn next(&mut self) -> std::io::Result<Option<Chunk>>;
    /// Give back the bytes of a chunk that was consumed.
    fn recycle(&mut self, bytes: ChunkBytes);
    /// The input after the last chunk returned.
    fn rest<'s>(&'s mut self) -> std::io::Result<Box<dyn Read + 's>>;
}

/// Chunks read from `r` into buffers that are reused once their chunk is emitted.
pub(super) struct ReadChunks<R> {
    r: R,
    /// Bytes read past the last chunk's final newline.
    carry: Vec<u8>,
    spare: Vec<Vec<u8>>,
    eof: bool,
    chunk_bytes: usize,
}

impl<R: BufRead> ReadChunks<R> {
    pub fn new(r: R, chunk_bytes: usize) -> ReadChunks<R> {
        ReadChunks {
            r,
            carry: Vec::new(),
            spare: Vec::new(),
            eof: false,
            chunk_bytes,
        }
    }
}

impl<R: BufRead> ChunkSource for ReadChunks<R> {
    fn next(&mut self) -> std::io::Result<Option<Chunk>> {
        let mut buf = std::mem::replace(&mut self.carry, self.spare.pop().unwrap_or_default());
        buf.reserve(self.chunk_bytes.saturating_sub(buf.len()) + (64 << 10));
        let mut end = None;
        while end.is_none() {
            if !self.eof && buf.len() < self.chunk_bytes {
                // Straight into the chunk: `read_to_end` fills spare capacity without
                // zeroing it, and a `BufReader` hands reads this large to its source
                // (copying through its own buffer was 2% of a replay's instructions).
                let want = (self.chunk_bytes - buf.len()) as u64;
                let n = self.r.by_ref().take(want).read_to_end(&mut buf)?;
                self.eof = (n as u64) < want;
                continue;
            }
            end = if self.eof {
                Some(buf.len())
            } else {
                match memchr::memrchr(b'\n', &buf) {
                    Some(i) => Some(i + 1),
                    // One line longer than the chunk: the chunk ends inside it. The
                    // parser then hands the line, from its start, to the framer, which
                    // reads a one-line array element by element and bounds a longer
                    // record (issue 19: the line was read whole, then copied).
                    None => Some(buf.len()),
                }
            };
        }
        let end = end.unwrap_or(buf.len());
        if end == 0 {
            self.carry = buf;
            return Ok(None);
        }
        self.carry.clear();
        self.carry.extend_from_slice(&buf[end..]);
        buf.truncate(end);
        Ok(Some(Chunk {
            bytes: ChunkBytes::Owned(buf),
            first_line: 0,
        }))
    }

    fn recycle(&mut self, bytes: ChunkBytes) {
        if let ChunkBytes::Owned(mut buf) = bytes {
            buf.clear();
            if self.spare.len() < 2 {
                self.spare.push(buf);
            }
        }
    }

    fn rest<'s>(&'s mut self) -> std::io::Result<Box<dyn Read + 's>> {
        let carry = std::mem::take(&mut self.carry);
        Ok(Box::new(std::io::Cursor::new(carry).chain(&mut self.r)))
    }
}

/// Chunks mapped from a plain file, each its own mapping (unmapped when the chunk is
/// dropped), so the process maps only the few chunks in flight and its resident memory
/// does not grow with the file.
pub(crate) struct MappedChunks {
    file: File,
    /// File size when it was opened.
    size: u64,
    /// Where the next chunk starts.
    pos: u64,
    chunk_bytes: usize,
    /// Advanced to each chunk's end (the read path counts bytes as they are read).
    progress: Option<indicatif::ProgressBar>,
}

impl MappedChunks {
    /// Map `file` from its start (a UTF-8 byte order mark skipped, as `source::open`
    /// does). Fails when the file cannot be mapped.
    pub fn new(
        file: File,
        chunk_bytes: usize,
        progress: Option<indicatif::ProgressBar>,
    ) -> std::io::Result<MappedChunks> {
        let size = file.metadata()?.len();
        let mut m = MappedChunks {
            file,
            size,
            pos: 0,
            chunk_bytes: chunk_bytes.max(1),
            progress,
        };
        if let Some(map) = m.map(0, 3)? {
            if map.starts_with(&[0xEF, 0xBB, 0xBF]) {
                m.pos = 3;
            }
        }
        Ok(m)
    }

    /// A mapping of `[at, at + len)` clipped to the file (`memmap2` aligns the mapping to
    /// pages itself); `None` when `at` is at or past the end.
    fn map(&self, at: u64, len: u64) -> std::io::Result<Option<memmap2::Mmap>> {
        if at >= self.size {
            return Ok(None);
        }
        let end = at.saturating_add(len).min(self.size);
        // SAFETY: the mapping is read-only, and `[at, end)` lies within the file as it
        // was when opened. Mapped bytes are only sound to read while no one writes or
        // truncates the file; careplay reads exported logs, which nothing rewrites while
        // they are read (ripgrep makes the same assumption of the files it maps). Who
        // must read a file that is being written sets `LoadOptions::no_mmap`.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(at)
                .len((end - at) as usize)
                .map(&self.file)?
        };
        Ok(Some(map))
    }
}

impl ChunkSource for MappedChunks {
    fn next(&mut self) -> std::io::Result<Option<Chunk>> {
        let Some(map) = self.map(self.pos, self.chunk_bytes as u64)? else {
            return Ok(None);
        };
        // Complete lines; one line longer than the chunk ends the chunk inside it (as
        // `ReadChunks` does).
        let len = if self.pos + map.len() as u64 >= self.size {
            map.len()
        } else {
            memchr::memrchr(b'\n', &map).map_or(map.len(), |i| i + 1)
        };
        self.pos += len as u64;
        if let Some(pb) = &self.progress {
            pb.set_position(self.pos);
        }
        Ok(Some(Chunk {
            bytes: ChunkBytes::Mapped { map, len },
            first_line: 0,
        }))
    }

    fn recycle(&mut self, _: ChunkBytes) {}

    fn rest<'s>(&'s mut self) -> std::io::Result<Box<dyn Read + 's>> {
        self.file.seek(SeekFrom::Start(self.pos))?;
        // Only what was there when the file was opened, as the chunks saw it.
        let left = self.size.saturating_sub(self.pos);
        Ok(Box::new(std::io::BufReader::new(
            (&mut self.file).take(left),
        )))
    }
}

/// A reader that reads as ended once `stop` is set (a streaming load whose sink failed).
pub(super) struct StopRead<R> {
    inner: R,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<R> StopRead<R> {
    pub fn new(inner: R, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> StopRead<R> {
        StopRead { inner, stop }
    }
}

impl<R: Read> Read for StopRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

/// Chunks that end once `stop` is set, as [`StopRead`] for mapped files.
pub(super) struct StopChunks<C> {
    inner: C,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<C> StopChunks<C> {
    pub fn new(inner: C, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> StopChunks<C> {
        StopChunks { inner, stop }
    }
    fn stopped(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl<C: ChunkSource> ChunkSource for StopChunks<C> {
    fn next(&mut self) -> std::io::Result<Option<Chunk>> {
        if self.stopped() {
            return Ok(None);
        }
        self.inner.next()
    }
    fn recycle(&mut self, bytes: ChunkBytes) {
        self.inner.recycle(bytes)
    }
    fn rest<'s>(&'s mut self) -> std::io::Result<Box<dyn Read + 's>> {
        if self.stopped() {
            return Ok(Box::new(std::io::empty()));
        }
        self.inner.rest()
    }
}
