//! Every JSON family (Graph G1–G4, portal JSON, PowerShell JSON, Log Analytics JSON,
//! diagnostic JSON Lines, Event Hub bodies): framed by [`Framer`], each text parsed with
//! [`TopSeed`] so pages and `records` arrays are streamed element by element.

use super::chunks::{Chunk, ChunkSource, ReadChunks};
use super::frame::{Framer, Text};
use super::normalize::{normalize, Ctx};
use super::plain;
use super::reject::{excerpt, Reject, RejectKind};
use super::wire::{Item, TopSeed};
use super::Row;
use serde::de::DeserializeSeed;
use std::io::{BufRead, Read};

/// Texts parsed together on the rayon pool: at most this many...
const BLOCK_TEXTS: usize = 1024;
/// ...or this many bytes.
const BLOCK_BYTES: usize = 4 << 20;

/// One framed text, copied so a block of them can be parsed in parallel.
struct OwnedText {
    bytes: Vec<u8>,
    start_line: u64,
    end_line: u64,
    truncated: bool,
    garbage: bool,
    oversize: bool,
}

impl OwnedText {
    fn view(&self) -> Text<'_> {
        Text {
            bytes: &self.bytes,
            start_line: self.start_line,
            end_line: self.end_line,
            truncated: self.truncated,
            garbage: self.garbage,
            oversize: self.oversize,
        }
    }
}

/// Parse a block of texts on the current rayon pool and emit their rows in input order
/// (the same rows, in the same order, as parsing them one after the other).
fn read_block(
    block: &mut Vec<OwnedText>,
    ctx: &Ctx<'_>,
    emit: &mut dyn FnMut(Row),
    lost: &mut bool,
) {
    use rayon::prelude::*;
    let parsed: Vec<(Vec<Row>, bool)> = block
        .par_iter()
        .map(|t| {
            let mut rows = Vec::new();
            let mut l = false;
            read_text(&t.view(), ctx, &mut |r| rows.push(r), &mut l);
            (rows, l)
        })
        .collect();
    block.clear();
    for (rows, l) in parsed {
        *lost |= l;
        for r in rows {
            emit(r);
        }
    }
}

/// Frame `r` into JSON texts exactly as [`Framer`] does, faster for JSON Lines: while
/// each line is one complete object (`{` at column 0, brackets balanced by the end of the
/// line, only whitespace after it), it is framed here with a tight scan that skips string
/// contents; from the first other line on, the rest of the input goes to a [`Framer`]
/// with line numbers shifted. Returns the framer's `unclosed_array`. The unit tests below
/// check the texts equal `Framer::run`'s on every fixture and on crafted edge cases.
///
/// A line longer than [`CHUNK_BYTES`] goes to the framer from its start without being read
/// whole: a one-line array of any size is then read element by element, and a longer text
/// is bounded by `limit` (issue 19: such a line was held whole, twice).
fn frame<R: BufRead>(
    mut r: R,
    limit: usize,
    on_text: &mut dyn FnMut(Text<'_>),
) -> std::io::Result<bool> {
    let mut line: Vec<u8> = Vec::new();
    let mut line_no: u64 = 1;
    loop {
        line.clear();
        let n = (&mut r)
            .take(CHUNK_BYTES as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(false);
        }
        let long = n == CHUNK_BYTES && line.last() != Some(&b'\n');
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        match simple_object_len(body).filter(|_| !long) {
            Some(k) => {
                on_text(Text {
                    bytes: &body[..k],
                    start_line: line_no,
                    end_line: line_no,
                    truncated: false,
                    garbage: false,
                    oversize: false,
                });
                line_no += 1;
            }
            None => {
                let offset = line_no - 1;
                let mut framer = Framer::with_limit(limit);
                let rest = std::io::Cursor::new(std::mem::take(&mut line)).chain(r);
                framer.run(rest, &mut |t: Text<'_>| {
                    on_text(Text {
                        start_line: t.start_line + offset,
                        end_line: t.end_line + offset,
                        ..t
                    })
                })?;
                return Ok(framer.unclosed_array);
            }
        }
    }
}

/// The length of `line` without trailing spaces, tabs and `\r` when it starts with `{`
/// and then ends with `}`: a candidate one-line object, found without reading the bytes
/// in between. A line [`simple_object_len`] accepts always passes (same length); the
/// parallel reader parses a candidate and asks `simple_object_len` only when the parse
/// fails (scanning every line first was ~10% of a replay's instructions).
fn object_line_len(line: &[u8]) -> Option<usize> {
    if line.first() != Some(&b'{') {
        return None;
    }
    let k = line.len()
        - line
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
            .count();
    (k >= 2 && line[k - 1] == b'}').then_some(k)
}

/// If `line` (no `\n` in it) is one JSON object text followed only by spaces, tabs or
/// `\r`, the object's length, computed with the same state machine as [`Framer`]
/// (strings with escapes, bracket depth); else `None`.
fn simple_object_len(line: &[u8]) -> Option<usize> {
    if line.first() != Some(&b'{') {
        return None;
    }
    let mut depth: u32 = 1;
    let mut i = 1;
    while i < line.len() {
        match line[i] {
            b'"' => {
                // Skip the string: up to the next unescaped quote.
                let mut j = i + 1;
                loop {
                    let at = j + memchr::memchr2(b'"', b'\\', line.get(j..)?)?;
                    if line[at] == b'\\' {
                        j = at + 2;
                    } else {
                        i = at;
                        break;
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    let end = i + 1;
                    return line[end..]
                        .iter()
                        .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
                        .then_some(end);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Read one JSON input; `emit` receives every row (loaded or rejected) and warnings.
///
/// On a rayon pool of more than one thread, chunks of lines (NDJSON records, one-line
/// Graph pages) are framed, parsed and normalised in parallel ([`read_parallel`]);
/// emission stays in input order. On one thread each text is parsed as soon as it is
/// framed (the slow twin; tests/bench_loader.rs checks both give the same load).
pub fn read<R: BufRead>(r: R, ctx: &Ctx<'_>, emit: &mut dyn FnMut(Row)) -> std::io::Result<()> {
    if rayon::current_num_threads() > 1 {
        return read_chunks(ReadChunks::new(r, CHUNK_BYTES), ctx, emit);
    }
    let mut lost = false;
    let mut texts: u64 = 0;
    let unclosed_array = frame(r, ctx.max_record_bytes, &mut |t: Text<'_>| {
        texts += 1;
        read_text(&t, ctx, emit, &mut lost);
    })?;
    finish(unclosed_array, lost, texts, emit);
    Ok(())
}

/// [`read`] on more than one thread, from chunks of the input ([`read_parallel`]).
pub(super) fn read_chunks(
    mut src: impl ChunkSource,
    ctx: &Ctx<'_>,
    emit: &mut dyn FnMut(Row),
) -> std::io::Result<()> {
    let mut lost = false;
    let mut texts: u64 = 0;
    let unclosed_array = read_parallel(&mut src, ctx, emit, &mut lost, &mut texts)?;
    finish(unclosed_array, lost, texts, emit);
    Ok(())
}

/// The warnings about a whole input.
fn finish(unclosed_array: bool, lost: bool, texts: u64, emit: &mut dyn FnMut(Row)) {
    if unclosed_array {
        emit(Row::Warning(
            "the top-level JSON array is not closed (missing ']' at end of file); every complete element was read".into(),
        ));
    }
    if lost {
        emit(Row::Warning(
            "some nested values are PowerShell type names (ConvertTo-Json -Depth too small): those facts are missing; re-export with -Depth 10".into(),
        ));
    }
    if texts == 0 {
        emit(Row::Warning("the file holds no JSON value".into()));
    }
}

/// Bytes of input framed and parsed together by [`read_parallel`] (complete lines only; a
/// longer line is read whole).
pub(super) const CHUNK_BYTES: usize = 8 << 20;

/// What one worker of [`read_parallel`] made of its share of a chunk.
struct Part {
    rows: Vec<Row>,
    texts: u64,
    lost: bool,
    /// The first line that is not a one-line JSON object: (byte offset in the chunk, line
    /// number); nothing from it on was parsed.
    fallback: Option<(usize, u64)>,
    /// Lines parsed that ended with `\n` (the run's line count when it has no fallback).
    newlines: u64,
}

impl Part {
    /// Renumber the lines of a run parsed from line 0 as if it had started at line `to`;
    /// false (nothing changed) when a row's text names a line (a JSON syntax error), so
    /// the run must be parsed again with its true numbers.
    fn shift(&mut self, to: u64) -> bool {
        let names_a_line = |r: &Row| {
            matches!(r, Row::Reject(j, ..)
                if matches!(j.kind, RejectKind::InvalidJson | RejectKind::TruncatedJson))
                || matches!(r, Row::Warning(_))
        };
        if self.rows.iter().any(names_a_line) {
            return false;
        }
        let at = |l: &mut Option<u64>| *l = l.map(|l| l + to);
        for r in &mut self.rows {
            match r {
                Row::Record(rec, line, ..) => {
                    at(line);
                    at(&mut rec.source_line);
                }
                Row::Reject(_, line, _) => at(line),
                Row::Warning(_) => {}
            }
        }
        if let Some((_, line)) = &mut self.fallback {
            *line += to;
        }
        true
    }
}

/// The multi-thread reader, a three-stage pipeline over the chunks of `chunks` (read into
/// buffers, or mapped from the file: [`super::chunks`]): chunks of complete lines are framed
/// *and* parsed on the pool (each worker takes a run of lines) while the calling thread
/// emits the rows of the previous chunk, in input order, then reads the following chunk
/// (emission feeds the replay, which evaluates on the same pool; reading ahead while the
/// pool parses keeps the pool busy during the read, which was ~5% of a replay's wall
/// time with the pool idle).
/// Lines are framed as [`frame`] does with [`simple_object_len`] (cheaper: see
/// [`object_line_len`]); from the first line that is not one JSON object the rest of the
/// input goes to a [`Framer`], also as [`frame`] does (a chunk parsed ahead of that point
/// is dropped). Equal loads on 1 and 2 threads: tests/bench_loader.rs and the unit tests
/// below.
fn read_parallel(
    chunks: &mut dyn ChunkSource,
    ctx: &Ctx<'_>,
    emit: &mut dyn FnMut(Row),
    lost: &mut bool,
    texts: &mut u64,
) -> std::io::Result<bool> {
    let parts = rayon::current_num_threads() * 4;
    // Parsed, not yet emitted, with the number of the line after it (`parse_chunk`
    // counts the chunk's lines, so they are counted once).
    let mut pending: Option<(Chunk, Vec<Part>, u64)> = None;
    // Read, not yet parsed (its first line is numbered once the chunk before is parsed).
    let mut ahead = chunks.next()?;
    loop {
        let mut next = ahead.take();
        if let Some(c) = &mut next {
            c.first_line = pending.as_ref().map_or(1, |p| p.2);
        }
        let mut parsed: Option<(Vec<Part>, u64)> = None;
        // From the first line that is not a one-line object: (its bytes on, its number).
        let mut fallback: Option<(Vec<u8>, u64)> = None;
        let mut read: std::io::Result<Option<Chunk>> = Ok(None);
        rayon::in_place_scope(|s| {
            if let Some(c) = &next {
                let out = &mut parsed;
                s.spawn(move |_| *out = Some(parse_chunk(c, parts, ctx)));
            }
            if let Some((c, results, _)) = pending.take() {
                fallback = emit_parts(&c, results, emit, lost, texts);
                chunks.recycle(c.bytes);
            }
            if fallback.is_none() && next.is_some() {
                read = chunks.next();
            }
        });
        if let Some((rest, line_no)) = fallback {
            // The rest of the input: the fallback chunk's tail, the chunk parsed ahead,
            // `r` (nothing was read past that chunk).
            let parsed_ahead = next.map(|c| c.bytes.into_vec()).unwrap_or_default();
            let rest = std::io::Cursor::new(rest)
                .chain(std::io::Cursor::new(parsed_ahead))
                .chain(chunks.rest()?);
            return frame_rest(rest, line_no - 1, ctx, emit, lost, texts);
        }
        ahead = read?;
        match (next, parsed) {
            (Some(c), Some((results, after))) => pending = Some((c, results, after)),
            _ => return Ok(false),
        }
    }
}

/// Frame and parse one chunk on the pool, in `parts` runs of whole lines; also returns the
/// number of the line after the chunk.
fn parse_chunk(c: &Chunk, parts: usize, ctx: &Ctx<'_>) -> (Vec<Part>, u64) {
    use rayon::prelude::*;
    let chunk = &c.bytes[..];
    let end = chunk.len();
    // Split at line starts into `parts` runs; number their first lines.
    let mut bounds = vec![0usize];
    for k in 1..parts {
        let at = (end * k / parts).max(*bounds.last().unwrap_or(&0));
        let next = match memchr::memchr(b'\n', &chunk[at..]) {
            Some(i) => at + i + 1,
            None => end,
        };
        if next > *bounds.last().unwrap_or(&0) && next < end {
            bounds.push(next);
        }
    }
    bounds.push(end);
    let runs: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    // The runs after the first are parsed before the number of their first line is known
    // (counting the chunk's lines first was a pass of its own over every chunk: 8% of a
    // streaming replay's CPU time). They are numbered from 0, then shifted once the runs
    // before them are counted; a run whose rows name a line in their text is parsed again
    // with its true numbers. The slow twin is the sequential reader (`read`), which
    // numbers every line as it goes: parallel_reader_equals_sequential_reader_at_every_
    // chunk_size below compares them.
    let mut parsed: Vec<Part> = runs
        .par_iter()
        .enumerate()
        .map(|(k, &(a, b))| parse_run(chunk, a, b, if k == 0 { c.first_line } else { 0 }, ctx))
        .collect();
    let mut line = c.first_line;
    for (k, part) in parsed.iter_mut().enumerate() {
        if k > 0 && !part.shift(line) {
            let (a, b) = runs[k];
            *part = parse_run(chunk, a, b, line, ctx);
        }
        if part.fallback.is_some() {
            // Nothing from here on is emitted: the framer reads it again.
            break;
        }
        line += part.newlines;
    }
    (parsed, line)
}

/// Emit the rows of a parsed chunk in order, up to its first fallback line; returns the
/// bytes from that line on (for the [`Framer`]) and its line number when there is one.
fn emit_parts(
    c: &Chunk,
    results: Vec<Part>,
    emit: &mut dyn FnMut(Row),
    lost: &mut bool,
    texts: &mut u64,
) -> Option<(Vec<u8>, u64)> {
    for part in results {
        for row in part.rows {
            emit(row);
        }
        *texts += part.texts;
        *lost |= part.lost;
        if let Some((offset, line_no)) = part.fallback {
            return Some((c.bytes[offset..].to_vec(), line_no));
        }
    }
    None
}

/// The rest of the input from the first line that is not a one-line object: framed by a
/// [`Framer`] with line numbers shifted by `shift`, its texts (array elements, multi-line
/// objects) parsed in parallel blocks, emitted in order.
fn frame_rest<R: Read>(
    rest: R,
    shift: u64,
    ctx: &Ctx<'_>,
    emit: &mut dyn FnMut(Row),
    lost: &mut bool,
    texts: &mut u64,
) -> std::io::Result<bool> {
    let rest = std::io::BufReader::new(rest);
    let mut framer = Framer::with_limit(ctx.max_record_bytes);
    let mut block: Vec<OwnedText> = Vec::with_capacity(BLOCK_TEXTS);
    let mut block_bytes = 0usize;
    framer.run(rest, &mut |t: Text<'_>| {
        *texts += 1;
        block_bytes += t.bytes.len();
        block.push(OwnedText {
            bytes: t.bytes.to_vec(),
            start_line: t.start_line + shift,
            end_line: t.end_line + shift,
            truncated: t.truncated,
            garbage: t.garbage,
            oversize: t.oversize,
        });
        if block.len() >= BLOCK_TEXTS || block_bytes >= BLOCK_BYTES {
            read_block(&mut block, ctx, emit, lost);
            block_bytes = 0;
        }
    })?;
    read_block(&mut block, ctx, emit, lost);
    Ok(framer.unclosed_array)
}

/// Frame and parse the lines of `chunk[a..b]` (the first is line `line`).
fn parse_run(chunk: &[u8], a: usize, b: usize, mut line: u64, ctx: &Ctx<'_>) -> Part {
    let mut part = Part {
        rows: Vec::new(),
        texts: 0,
        lost: false,
        fallback: None,
        newlines: 0,
    };
    let mut at = a;
    while at < b {
        let (body, next, newline) = match memchr::memchr(b'\n', &chunk[at..b]) {
            Some(i) => (&chunk[at..at + i], at + i + 1, 1),
            None => (&chunk[at..b], b, 0),
        };
        let Some(k) = object_line_len(body) else {
            part.fallback = Some((at, line));
            return part;
        };
        let (rows_before, lost_before) = (part.rows.len(), part.lost);
        let rows = &mut part.rows;
        let parsed = read_text(
            &Text {
                bytes: &body[..k],
                start_line: line,
                end_line: line,
                truncated: false,
                garbage: false,
                oversize: false,
            },
            ctx,
            &mut |r| rows.push(r),
            &mut part.lost,
        );
        // `object_line_len` only looked at the line's ends. A line that parsed is one
        // object, as `simple_object_len` would have found; one that did not is decided by
        // `simple_object_len` itself (two objects on a line, the first line of a
        // multi-line object...), and the framer takes it when it is not a one-line object.
        if !parsed && simple_object_len(body) != Some(k) {
            part.rows.truncate(rows_before);
            part.lost = lost_before;
            part.fallback = Some((at, line));
            return part;
        }
        part.texts += 1;
        part.newlines += newline;
        line += 1;
        at = next;
    }
    part
}

/// One whole JSON text through `seed`, then nothing but whitespace.
fn parse_all<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    seed: TopSeed<'_, 'de>,
) -> serde_json::Result<()> {
    seed.deserialize(&mut de)?;
    de.end()
}

/// Parse one text and emit its rows; false when the text is not well-formed JSON (the
/// reject saying so is among the rows).
fn read_text(t: &Text<'_>, ctx: &Ctx<'_>, emit: &mut dyn FnMut(Row), lost: &mut bool) -> bool {
    let line = Some(t.start_line);
    if t.garbage {
        emit(Row::Reject(
            Reject::new(
                RejectKind::InvalidJson,
                format!(
                    "`{}` is not JSON: expected a JSON object or array",
                    excerpt(&String::from_utf8_lossy(t.bytes))
                ),
            ),
            line,
            None,
        ));
        return false;
    }
    if t.oversize || t.bytes.len() > ctx.max_record_bytes {
        emit(Row::Reject(
            Reject::new(
                RejectKind::TooLarge,
                format!(
                    "the JSON text starting here (to line {}) is longer than {} bytes (the record limit; raise it with CAREPLAY_MAX_RECORD_BYTES): skipped without parsing it",
                    t.end_line, ctx.max_record_bytes
                ),
            ),
            line,
            None,
        ));
        return false;
    }
    let mut index: u64 = 0;
    // Rows of this text are buffered (bounded by one record or one Graph page) so that a
    // record index is only printed for texts holding several records. The first row is
    // held apart: a one-record text (a JSON Lines record) allocates no buffer.
    let mut first: Option<Row> = None;
    let mut rows: Vec<Row> = Vec::new();
    let res = {
        let emit = &mut |r: Row| match first {
            None => first = Some(r),
            Some(_) => rows.push(r),
        };
        let mut sink = |item: Item| {
            index += 1;
            match item {
                Item::NotObject(kind) => emit(Row::Reject(
                    Reject::new(
                        RejectKind::NotAnObject,
                        format!("found {kind}: expected a sign-in JSON object"),
                    ),
                    line,
                    Some(index),
                )),
                Item::Record(w) => {
                    let c = Ctx {
                        projection: ctx.projection,
                        line,
                        format: ctx.format,
                        file: ctx.file,
                        file_event_type: ctx.file_event_type,
                        max_record_bytes: ctx.max_record_bytes,
                    };
                    match normalize(&w, &c, None) {
                        Ok(n) => {
                            *lost |= n.lost_nested;
                            emit(Row::Record(
                                Box::new(n.record),
                                line,
                                Some(index),
                                n.unreadable,
                            ))
                        }
                        Err(r) => emit(Row::Reject(r, line, Some(index))),
                    }
                }
            }
        };
        // Text that is valid UTF-8 as a whole (checked once, at memory speed for ASCII) is
        // parsed as `str`, so serde_json does not validate every string it reads again: that
        // was 5% of a replay's instructions. Other text takes the byte-slice parser, which
        // reads up to the bad byte and reports it, as before.
        let text = std::str::from_utf8(t.bytes).ok();
        // One object of plain values (a JSON Lines record) is read directly; `plain`
        // builds the record serde would, or leaves the text to serde.
        match text.and_then(|text| plain::record(text, ctx.projection)) {
            Some(rec) => {
                sink(Item::Record(rec));
                Ok(())
            }
            None => {
                let seed = TopSeed {
                    sink: &mut sink,
                    projection: ctx.projection,
                };
                match text {
                    Some(text) => parse_all(serde_json::Deserializer::from_str(text), seed),
                    None => parse_all(serde_json::Deserializer::from_slice(t.bytes), seed),
                }
            }
        }
    };
    let several = index > 1;
    for row in first.into_iter().chain(rows) {
        emit(match row {
            Row::Record(r, l, i, u) => Row::Record(r, l, i.filter(|_| several), u),
            Row::Reject(r, l, i) => Row::Reject(r, l, i.filter(|_| several)),
            w => w,
        });
    }
    // A text cut off (at the end of the file, or by a new object at column 0): the
    // complete records before the cut are kept (a Graph page or Event Hub body streams
    // its elements), and the cut part counts as one rejected row (issue 19: a cut page
    // lost all its records).
    if t.truncated {
        let kept = if index > 0 {
            format!("; the {index} complete record(s) before the cut were read")
        } else {
            String::new()
        };
        let at = match &res {
            Err(e) if index > 0 => format!(
                " (cut at line {} column {})",
                t.start_line + e.line().saturating_sub(1) as u64,
                e.column()
            ),
            _ => String::new(),
        };
        emit(Row::Reject(
            Reject::new(
                RejectKind::TruncatedJson,
                format!(
                    "the JSON text starting here ends at line {} before its closing bracket{at} (expected a complete object){kept}",
                    t.end_line
                ),
            ),
            line,
            None,
        ));
        return false;
    }
    if let Err(e) = res {
        let abs_line = t.start_line + e.line().saturating_sub(1) as u64;
        let kind = if e.is_eof() {
            RejectKind::TruncatedJson
        } else {
            RejectKind::InvalidJson
        };
        let tail = if index > 0 {
            format!("; the {index} record(s) before it in this text were read, the rest was not")
        } else {
            String::new()
        };
        let full = e.to_string();
        let msg = full.split(" at line ").next().unwrap_or(&full);
        emit(Row::Reject(
            Reject::new(
                kind,
                format!("at line {abs_line} column {}: {msg}{tail}", e.column()),
            ),
            line,
            None,
        ));
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::chunks::MappedChunks;
    use super::*;

    type Owned = (Vec<u8>, u64, u64, bool, bool);

    fn texts(input: &[u8], fast: bool) -> (Vec<Owned>, bool) {
        let mut out = Vec::new();
        let mut push = |t: Text<'_>| {
            out.push((
                t.bytes.to_vec(),
                t.start_line,
                t.end_line,
                t.truncated,
                t.garbage,
            ))
        };
        let unclosed = if fast {
            frame(input, usize::MAX, &mut push).unwrap()
        } else {
            let mut f = Framer::new();
            f.run(input, &mut push).unwrap();
            f.unclosed_array
        };
        (out, unclosed)
    }

    fn same(input: &[u8]) {
        assert_eq!(
            texts(input, true),
            texts(input, false),
            "{}",
            String::from_utf8_lossy(input)
        );
    }

    #[test]
    fn fast_framing_equals_framer_on_edge_cases() {
        for input in [
            "",
            "\n\n",
            "{\"a\":1}",
            "{\"a\":1}\n{\"b\":[1,{\"c\":\"}\"}]}\r\n",
            "{\"a\":\"x\\\"}\"}\n{\"b\":2}  \t\n",
            "{\"a\":1}{\"b\":2}\n{\"c\":3}\n",
            "{\"a\":1},\n{\"b\":2}\n",
            "{\"a\":1}\n{\"b\":\n2}\n{\"c\":3}\n",
            "{\"a\":1}\n{\"b\":2\n{\"c\":3}\n",
            "{\"a\":1}\n[{\"b\":2},{\"c\":3}]\n",
            "{\"a\":1}\n[{\"b\":2},\n{\"c\":3}\n",
            "{\"a\":1}\nnot json\n{\"c\":3}\n",
            "{\"a\":\"unterminated}\n{\"b\":2}\n",
            "{\"a\":\"ends with backslash\\",
            "{\"a\":1}\n  {\"b\":2}\n{\"c\":3}\n",
            "\u{feff}{\"a\":1}\n{\"b\":2}\n",
            "{\"a\":1}\n{\"b\":2}",
            "{\"a\":{\"b\":{}}}\n}\n{\"c\":1}\n",
        ] {
            same(input.as_bytes());
        }
    }

    /// Every row `read` emits on a pool of `threads`, the parallel reader using chunks of
    /// `chunk` bytes, as text.
    fn rows(input: &[u8], threads: usize, chunk: usize) -> Vec<String> {
        rows_from(input, threads, chunk, false)
    }

    /// [`rows`]; `mapped`: the parallel reader maps the input from a file.
    fn rows_from(input: &[u8], threads: usize, chunk: usize, mapped: bool) -> Vec<String> {
        let ctx = Ctx {
            projection: Default::default(),
            format: "graph",
            file: "t.jsonl",
            line: None,
            file_event_type: None,
            max_record_bytes: usize::MAX,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| {
            let mut emit = |r: Row| out.push(format!("{r:?}"));
            if threads == 1 {
                read(input, &ctx, &mut emit).unwrap();
            } else {
                let (mut lost, mut texts) = (false, 0);
                let unclosed = if mapped {
                    let mut f = tempfile::tempfile().unwrap();
                    std::io::Write::write_all(&mut f, input).unwrap();
                    let mut src = MappedChunks::new(f, chunk, None).unwrap();
                    read_parallel(&mut src, &ctx, &mut emit, &mut lost, &mut texts)
                } else {
                    let mut src = ReadChunks::new(input, chunk);
                    read_parallel(&mut src, &ctx, &mut emit, &mut lost, &mut texts)
                }
                .unwrap();
                emit(Row::Warning(format!("{unclosed} {lost} {texts}")));
            }
        });
        out
    }

    #[test]
    fn text_that_is_not_utf8_is_rejected_by_line_and_the_rest_is_read() {
        let good = |id: &str, city: &str| {
            format!(
                r#"{{"id":"{id}","createdDateTime":"2026-01-01T00:00:00Z","userId":"u","appId":"a","isInteractive":true,"location":{{"city":"{city}"}}}}"#
            )
            .into_bytes()
        };
        let mut bad = good("r2", "Z?rich");
        let at = bad.iter().position(|&b| b == b'?').unwrap();
        bad[at] = 0xFC; // Latin-1 'ü': not UTF-8
        let input = [good("r1", "Zürich"), bad, good("r3", "Köln")].join(&b'\n');
        for out in [
            rows(&input, 1, 0),
            rows(&input, 2, 7),
            rows_from(&input, 2, 7, true),
        ] {
            let records: Vec<&String> = out.iter().filter(|r| r.starts_with("Record")).collect();
            assert_eq!(records.len(), 2, "{out:#?}");
            assert!(records[0].contains("\"r1\"") && records[0].contains("Zürich"));
            assert!(records[1].contains("\"r3\"") && records[1].contains("Köln"));
            let rejects: Vec<&String> = out.iter().filter(|r| r.starts_with("Reject")).collect();
            assert_eq!(rejects.len(), 1, "{out:#?}");
            assert!(rejects[0].contains("InvalidJson"), "{}", rejects[0]);
            assert!(
                rejects[0].contains("invalid unicode code point"),
                "{}",
                rejects[0]
            );
            assert!(rejects[0].contains("Some(2)"), "line 2: {}", rejects[0]);
        }
    }

    #[test]
    fn parallel_reader_equals_sequential_reader_at_every_chunk_size() {
        let rec = |id: &str| {
            format!(
                r#"{{"id":"{id}","createdDateTime":"2026-01-01T00:00:00Z","userId":"u","appId":"a","isInteractive":true}}"#
            )
        };
        let lines: Vec<String> = (0..9).map(|i| rec(&format!("r{i}"))).collect();
        let ndjson = lines.join("\n");
        // Enough lines for every run of a large chunk (8 on 2 threads) to hold several, so
        // rows of later runs are renumbered, or parsed again when their text names a line.
        let many: Vec<String> = (0..40).map(|i| rec(&format!("m{i}"))).collect();
        let typed = "{\"id\":\"bad\",\"isInteractive\":\"maybe\"}";
        let inputs = [
            String::new(),
            ndjson.clone(),
            format!("{ndjson}\n"),
            format!("{ndjson}\n\n"),
            format!("{}\n{{\"id\":\n\"x\"}}\n{}", lines[0], lines[1]),
            format!("{}\nnot json\n{}", lines[0], lines[1]),
            format!("{}\n[{},{}]\n", lines[0], lines[1], lines[2]),
            format!(
                "{}\n{{\"id\":\"bad\",\"isInteractive\":\"maybe\"}}\n{}",
                lines[0], lines[1]
            ),
            format!("{}\r\n{}  \n", lines[0], lines[1]),
            // Lines that start with `{` and end with `}` but are not one object: two
            // objects, the first line of a multi-line object, an unterminated string, a
            // closing bracket too many; and a genuine one-line object that is not JSON.
            format!(
                "{}\n{{\"id\":\"a\"}}{{\"id\":\"b\"}}\n{}",
                lines[0], lines[1]
            ),
            format!(
                "{}\n{{\"id\":\"m\",\"status\":{{\"errorCode\":0}}\n}}\n{}",
                lines[0], lines[1]
            ),
            format!("{}\n{{\"id\":\"x}}\n{}", lines[0], lines[1]),
            format!("{}\n{{\"id\":\"y\"}}}}\n{}", lines[0], lines[1]),
            format!("{}\n{{\"id\": tru}}  \r\n{}", lines[0], lines[1]),
            many.join("\n"),
            format!("{}\n", many.join("\n")),
            // A record rejected by normalisation (renumbered) and a one-line JSON syntax
            // error (its message names the line: parsed again) in later runs.
            format!(
                "{}\n{typed}\n{}\n{{\"id\": tru}}\n{}\n",
                many[..17].join("\n"),
                many[17..30].join("\n"),
                many[30..].join("\n")
            ),
            // A line that is not one object in a later run: the framer takes the rest.
            format!(
                "{}\nnot json\n{}\n{typed}\n{}",
                many[..33].join("\n"),
                many[33..36].join("\n"),
                many[36..].join("\n")
            ),
            // A multi-line object after several chunks: the chunks parsed and read ahead
            // of it go to the framer.
            format!(
                "{}\n{{\"id\":\n\"late\"}}\n{}",
                lines[..6].join("\n"),
                lines[6..].join("\n")
            ),
        ];
        for input in &inputs {
            let one = rows(input.as_bytes(), 1, 0);
            for chunk in [1, 7, 64, 150, 1000, 1 << 20] {
                let mut two = rows(input.as_bytes(), 2, chunk);
                let mut mapped = rows_from(input.as_bytes(), 2, chunk, true);
                let counters = two.pop().unwrap_or_default();
                assert_eq!(mapped.pop(), Some(counters.clone()), "{input:?}");
                // The sequential `read` folds the counters into warnings; compare rows.
                let one_rows: Vec<&String> =
                    one.iter().filter(|r| !r.starts_with("Warning")).collect();
                let two_rows: Vec<&String> =
                    two.iter().filter(|r| !r.starts_with("Warning")).collect();
                assert_eq!(one_rows, two_rows, "chunk {chunk}: {input:?} ({counters})");
                assert_eq!(two, mapped, "mapped, chunk {chunk}: {input:?}");
            }
        }
    }

    #[test]
    fn fast_framing_equals_framer_on_every_json_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signin");
        let mut stack = vec![dir];
        let mut n = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_none_or(|x| x != "csv") {
                    same(&std::fs::read(&p).unwrap());
                    n += 1;
                }
            }
        }
        assert!(n >= 8, "{n} fixture files");
    }
}
