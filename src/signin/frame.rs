//! Splits a JSON byte stream into top-level texts without parsing them, so that memory is
//! bounded by the largest record (or Graph page), never by the file:
//!
//! * JSON Lines / concatenated objects (`{…}{…}`, `{…}\n{…}`): each object is one text;
//! * a top-level array `[ {…}, {…} ]` is entered and each **element** is one text; several
//!   arrays in a row (signin-logs.md §1 G4) simply continue.
//!
//! Resynchronisation after damage: a raw newline inside a string ends the string (JSON
//! forbids it), and an opening `{` at column 0 while an object that itself started at
//! column 0 is still open cuts the open text as truncated. This keeps one broken line of a
//! JSON Lines file from swallowing the rest of the file.

use std::io::{self, BufRead};

/// One framed text.
#[derive(Debug)]
pub struct Text<'a> {
    pub bytes: &'a [u8],
    /// 1-based line of the first and last byte.
    pub start_line: u64,
    pub end_line: u64,
    /// The text ended (cut or end of file) before its brackets balanced.
    pub truncated: bool,
    /// The text is not JSON at all (stray characters between texts).
    pub garbage: bool,
    /// The text was longer than the framer's limit: `bytes` holds only its start.
    pub oversize: bool,
}

#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    depth: i64,
    in_string: bool,
    escape: bool,
    /// Inside a top-level `[` (texts are its elements).
    in_array: bool,
    /// Kind of the text being collected.
    kind: Kind,
    line: u64,
    col: u64,
    start_line: u64,
    start_col: u64,
    /// A top-level array was opened and not closed at end of input.
    pub unclosed_array: bool,
    /// The longest text kept ([`Framer::with_limit`]); 0 = no limit.
    limit: usize,
    /// The text being collected passed `limit`: its bytes are no longer kept.
    oversize: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Kind {
    #[default]
    None,
    Bracketed,
    Str,
    Scalar,
    Garbage,
}

impl Framer {
    pub fn new() -> Framer {
        Framer {
            line: 1,
            ..Framer::default()
        }
    }

    /// A framer that keeps at most `limit` bytes of a text: a longer one is still framed
    /// (its brackets followed to its end, so the next text is found) but emitted with
    /// `oversize` and only its start, so memory stays bounded by the limit.
    pub fn with_limit(limit: usize) -> Framer {
        Framer {
            limit,
            ..Framer::new()
        }
    }

    fn keep(&mut self, b: u8) {
        if self.limit > 0 && self.buf.len() >= self.limit {
            self.oversize = true;
        } else {
            self.buf.push(b);
        }
    }

    /// Runs over the whole reader; `emit` is called for each text in order.
    pub fn run<R: BufRead>(&mut self, mut r: R, emit: &mut dyn FnMut(Text<'_>)) -> io::Result<()> {
        loop {
            let chunk = r.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            for &b in chunk {
                self.byte(b, emit);
            }
            r.consume(n);
        }
        self.finish(emit);
        Ok(())
    }

    fn start(&mut self, kind: Kind, b: u8) {
        self.kind = kind;
        self.buf.clear();
        self.buf.push(b);
        self.start_line = self.line;
        self.start_col = self.col;
        self.depth = if kind == Kind::Bracketed { 1 } else { 0 };
        self.in_string = kind == Kind::Str;
        self.escape = false;
        self.oversize = false;
    }

    fn flush(&mut self, truncated: bool, emit: &mut dyn FnMut(Text<'_>)) {
        if self.kind == Kind::None {
            return;
        }
        let garbage = self.kind == Kind::Garbage;
        let content_end = self
            .buf
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        let end_line =
            self.start_line + memchr::memchr_iter(b'\n', &self.buf[..content_end]).count() as u64;
        emit(Text {
            bytes: &self.buf,
            start_line: self.start_line,
            end_line,
            truncated,
            garbage,
            oversize: self.oversize,
        });
        self.oversize = false;
        self.kind = Kind::None;
        self.buf.clear();
        self.depth = 0;
        self.in_string = false;
        self.escape = false;
    }

    fn byte(&mut self, b: u8, emit: &mut dyn FnMut(Text<'_>)) {
        // Cut a damaged object when a new one starts at column 0 (see module docs).
        if b == b'{'
            && self.col == 0
            && self.kind == Kind::Bracketed
            && self.start_col == 0
            && !self.in_string
        {
            self.flush(true, emit);
        }
        match self.kind {
            Kind::None => self.between(b),
            Kind::Bracketed => {
                self.keep(b);
                if self.in_string {
                    if self.escape {
                        self.escape = false;
                    } else if b == b'\\' {
                        self.escape = true;
                    } else if b == b'"' || b == b'\n' {
                        self.in_string = false;
                    }
                } else {
                    match b {
                        b'"' => self.in_string = true,
                        b'{' | b'[' => self.depth += 1,
                        b'}' | b']' => {
                            self.depth -= 1;
                            if self.depth == 0 {
                                self.advance(b);
                                self.flush(false, emit);
                                return;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Kind::Str => {
                self.keep(b);
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' || b == b'\n' {
                    self.advance(b);
                    self.flush(b == b'\n', emit);
                    return;
                }
            }
            Kind::Scalar => {
                if b == b',' || b == b']' || b == b'}' || b.is_ascii_whitespace() {
                    self.flush(false, emit);
                    self.between(b);
                    self.advance(b);
                    return;
                }
                self.keep(b);
            }
            Kind::Garbage => {
                if b == b'\n' {
                    self.flush(false, emit);
                } else {
                    self.keep(b);
                }
            }
        }
        self.advance(b);
    }

    /// Between texts: whitespace, array punctuation, or the start of the next text.
    fn between(&mut self, b: u8) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'[' if !self.in_array => self.in_array = true,
            b',' | b']' if self.in_array => {
                if b == b']' {
                    self.in_array = false;
                }
            }
            b'{' | b'[' => self.start(Kind::Bracketed, b),
            b'"' if self.in_array => self.start(Kind::Str, b),
            _ if self.in_array => self.start(Kind::Scalar, b),
            _ => self.start(Kind::Garbage, b),
        }
    }

    fn advance(&mut self, b: u8) {
        if b == b'\n' {
            self.line += 1;
            self.col = 0;
        } else {
            self.col += 1;
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(Text<'_>)) {
        match self.kind {
            Kind::Bracketed | Kind::Str => self.flush(true, emit),
            Kind::Scalar | Kind::Garbage => self.flush(false, emit),
            Kind::None => {}
        }
        self.unclosed_array = self.in_array;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(input: &str) -> Vec<(String, u64, bool, bool)> {
        let mut out = Vec::new();
        let mut f = Framer::new();
        f.run(input.as_bytes(), &mut |t| {
            out.push((
                String::from_utf8_lossy(t.bytes).into_owned(),
                t.start_line,
                t.truncated,
                t.garbage,
            ))
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_lines_arrays_and_concatenations() {
        let got = frame("{\"a\":\"}\"}\n{\"b\":[1,{}]}\n[{\"c\":1},\n {\"d\":2}][{\"e\":3}]\n");
        let texts: Vec<&str> = got.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "{\"a\":\"}\"}",
                "{\"b\":[1,{}]}",
                "{\"c\":1}",
                "{\"d\":2}",
                "{\"e\":3}"
            ]
        );
        assert_eq!(got[3].1, 4);
        assert!(got.iter().all(|t| !t.2 && !t.3));
    }

    #[test]
    fn truncated_line_is_cut_and_next_line_survives() {
        let got = frame("{\"id\":\"a\",\"x\":\"unterminated\n{\"id\":\"b\"}\n{\"id\":");
        assert_eq!(got.len(), 3);
        assert!(got[0].2, "first text truncated");
        assert_eq!(got[1].0, "{\"id\":\"b\"}");
        assert!(!got[1].2);
        assert!(got[2].2, "last text truncated at EOF");
        assert_eq!(got[2].1, 3);
    }

    #[test]
    fn scalars_in_arrays_and_garbage_between_texts() {
        let got = frame("[1, \"s\", {\"a\":1}]\nnot json\n{}");
        let texts: Vec<&str> = got.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(texts, vec!["1", "\"s\"", "{\"a\":1}", "not json", "{}"]);
        assert!(got[3].3);
    }
}
