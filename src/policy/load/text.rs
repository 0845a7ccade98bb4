//! Bytes -> text -> top-level JSON values. Handles BOMs (UTF-8, UTF-16LE/BE), BOM-less
//! UTF-16 (PowerShell 5.1 `Out-File`), and several JSON texts concatenated in one file.

use serde_json::Value;

/// Decode a file's bytes to text. UTF-8 with/without BOM, UTF-16LE/BE with BOM, and
/// BOM-less UTF-16 recognised by its zero bytes. Invalid sequences are an error (never
/// replaced silently).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let (encoding, skip) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len),
        None if bytes.len() >= 2 && bytes[0] != 0 && bytes[1] == 0 => (encoding_rs::UTF_16LE, 0),
        None if bytes.len() >= 2 && bytes[0] == 0 && bytes[1] != 0 => (encoding_rs::UTF_16BE, 0),
        None => (encoding_rs::UTF_8, 0),
    };
    let body = bytes.get(skip..).unwrap_or_default();
    match encoding.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok(text.into_owned()),
        None => Err(format!(
            "the file is not valid {} text (expected UTF-8, or UTF-16 with a byte-order mark)",
            encoding.name()
        )),
    }
}

/// A JSON syntax error with the 1-based line and column serde_json reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// One top-level JSON text and the line it starts on.
#[derive(Debug, Clone)]
pub struct Text {
    pub line: u64,
    pub value: Value,
}

/// Parse every top-level JSON text in `text` (one, or several concatenated / one per line).
pub fn parse_texts(text: &str) -> Result<Vec<Text>, SyntaxError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut prev_end = 0usize;
    loop {
        let start_line = line_of_next_value(text, prev_end);
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                out.push(Text {
                    line: start_line,
                    value,
                });
                prev_end = stream.byte_offset();
            }
            Some(Err(e)) => {
                return Err(SyntaxError {
                    line: e.line() as u64,
                    column: e.column() as u64,
                    message: strip_position(&e.to_string()),
                })
            }
        }
    }
    Ok(out)
}

/// The 1-based line of the first non-whitespace character at or after `from`.
fn line_of_next_value(text: &str, from: usize) -> u64 {
    let rest = text.get(from..).unwrap_or_default();
    let skipped = rest.len() - rest.trim_start().len();
    let upto = text.get(..from + skipped).unwrap_or(text);
    1 + upto.bytes().filter(|b| *b == b'\n').count() as u64
}

/// serde_json appends " at line L column C"; we print the position ourselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_bomless_utf16() {
        let s = "{\"a\": \"é\"}";
        let mut le = vec![0xFF, 0xFE];
        le.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let mut be = vec![0xFE, 0xFF];
        be.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
        let bomless: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let mut u8bom = vec![0xEF, 0xBB, 0xBF];
        u8bom.extend(s.as_bytes());
        for bytes in [le, be, bomless, u8bom, s.as_bytes().to_vec()] {
            assert_eq!(decode(&bytes).as_deref(), Ok(s));
        }
        assert!(decode(&[0x7B, 0xFF, 0x7D]).is_err());
    }

    #[test]
    fn concatenated_texts_keep_their_start_lines() {
        let texts = parse_texts("{\"a\":1}\n\n  {\"b\":2}\n[3]").unwrap_or_default();
        let lines: Vec<u64> = texts.iter().map(|t| t.line).collect();
        assert_eq!(lines, vec![1, 3, 4]);
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse_texts("{\n  \"a\": [1,],\n}").err();
        let err = err.unwrap_or(SyntaxError {
            line: 0,
            column: 0,
            message: String::new(),
        });
        assert_eq!(err.line, 2);
        assert!(err.column > 0);
        assert!(!err.message.contains("at line"));
    }
}
