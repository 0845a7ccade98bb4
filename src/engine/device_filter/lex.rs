//! Lexer for the rule language of filters (evaluation.md §3.8 grammar).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// `-eq`, `-and`, … lower-cased without the dash.
    Dash(String),
    /// `device.trustType`, `True`, `null`: a bare word (letters, digits, `.`, `_`, `:`).
    Word(String),
    /// A double-quoted string with backslash escapes removed.
    Str(String),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::LParen => f.write_str("`(`"),
            Tok::RParen => f.write_str("`)`"),
            Tok::LBracket => f.write_str("`[`"),
            Tok::RBracket => f.write_str("`]`"),
            Tok::Comma => f.write_str("`,`"),
            Tok::Dash(w) => write!(f, "`-{w}`"),
            Tok::Word(w) => write!(f, "`{w}`"),
            Tok::Str(s) => write!(f, "\"{s}\""),
        }
    }
}

/// A token and its character offset in the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub tok: Tok,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {at}: {message}")]
pub struct LexError {
    pub at: usize,
    pub message: String,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | ':' | '-' | '{' | '}' | '@')
}

pub fn lex(rule: &str) -> Result<Vec<Spanned>, LexError> {
    let chars: Vec<char> = rule.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(t) = single {
            out.push(Spanned { tok: t, at });
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\u{201c}' || c == '\u{201d}' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => {
                        return Err(LexError {
                            at,
                            message: "unterminated string".into(),
                        })
                    }
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                        }
                        i += 2;
                    }
                    Some('"' | '\u{201c}' | '\u{201d}') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Spanned {
                tok: Tok::Str(s),
                at,
            });
        } else if c == '-' && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()) {
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            out.push(Spanned {
                tok: Tok::Dash(w.to_ascii_lowercase()),
                at,
            });
        } else if is_word(c) {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            out.push(Spanned {
                tok: Tok::Word(chars[start..i].iter().collect()),
                at,
            });
        } else {
            return Err(LexError {
                at,
                message: format!("unexpected character `{c}`"),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_operators_strings_and_lists() {
        let t = lex(r#"device.model -IN ["a\"b", "c"] -AND -not(x)"#).unwrap_or_default();
        let toks: Vec<Tok> = t.into_iter().map(|s| s.tok).collect();
        assert_eq!(toks[1], Tok::Dash("in".into()));
        assert_eq!(toks[3], Tok::Str("a\"b".into()));
        assert!(toks.contains(&Tok::Dash("and".into())));
        assert!(lex("device.x -eq \"open").is_err());
    }
}
