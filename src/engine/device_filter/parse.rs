//! Parser for filter rules (evaluation.md §3.8):
//!
//! ```text
//! or_expr  := and_expr ( "-or" and_expr )*
//! and_expr := not_expr ( "-and" not_expr )*
//! not_expr := "-not" not_expr | primary
//! primary  := "(" or_expr ")" | property operator value
//! ```
//! Precedence high→low: comparison, `-not`, `-and`, `-or`. Operators are
//! case-insensitive. Operators of the group-rule language that device filters do not
//! list (`-match`, `-any`, `-le`, …) are rejected with a clear error.

use super::lex::{lex, Spanned, Tok};

pub const MAX_RULE_CHARS: usize = 3072;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    Contains,
    NotContains,
    In,
    NotIn,
}

impl Op {
    pub fn parse(w: &str) -> Option<Op> {
        Some(match w {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "startswith" => Op::StartsWith,
            "notstartswith" => Op::NotStartsWith,
            "endswith" => Op::EndsWith,
            "notendswith" => Op::NotEndsWith,
            "contains" => Op::Contains,
            "notcontains" => Op::NotContains,
            "in" => Op::In,
            "notin" => Op::NotIn,
            _ => return None,
        })
    }
    /// Negative operators are true on null (unregistered devices, §3.8).
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Op::Ne | Op::NotStartsWith | Op::NotEndsWith | Op::NotContains | Op::NotIn
        )
    }
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "-eq",
            Op::Ne => "-ne",
            Op::StartsWith => "-startsWith",
            Op::NotStartsWith => "-notStartsWith",
            Op::EndsWith => "-endsWith",
            Op::NotEndsWith => "-notEndsWith",
            Op::Contains => "-contains",
            Op::NotContains => "-notContains",
            Op::In => "-in",
            Op::NotIn => "-notIn",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    List(Vec<String>),
    /// Bare `null` [unconfirmed for device filters].
    Null,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp {
        /// Full property path as written, e.g. `device.trustType`.
        property: String,
        op: Op,
        value: Value,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub message: String,
}

fn err<T>(message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        message: message.into(),
    })
}

const UNSUPPORTED: &[&str] = &[
    "match", "notmatch", "any", "all", "le", "ge", "lt", "gt", "notlike", "like",
];

struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|s| &s.tok)
    }
    fn at(&self) -> String {
        match self.toks.get(self.pos) {
            Some(s) => format!("at character {}", s.at),
            None => "at end of rule".into(),
        }
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|s| s.tok.clone());
        self.pos += 1;
        t
    }
    fn eat_dash(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Dash(d)) if d == w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or_expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and_expr()?];
        while self.eat_dash("or") {
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.not_expr()?];
        while self.eat_dash("and") {
            items.push(self.not_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn not_expr(&mut self) -> Result<Expr, ParseError> {
        if self.eat_dash("not") {
            return Ok(Expr::Not(Box::new(self.not_expr()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let where_ = self.at();
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.or_expr()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => err(format!("expected `)` {}", where_)),
                }
            }
            Some(Tok::Word(property)) => {
                let where_op = self.at();
                let op = match self.next() {
                    Some(Tok::Dash(w)) => match Op::parse(&w) {
                        Some(op) => op,
                        None if UNSUPPORTED.contains(&w.as_str()) => {
                            return err(format!(
                                "unsupported operator -{w} {where_op}: filters for devices support only -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in, -notIn"
                            ))
                        }
                        None => return err(format!("unknown operator -{w} {where_op}")),
                    },
                    Some(t) => return err(format!("expected an operator after `{property}` {where_op}, found {t}")),
                    None => return err(format!("expected an operator after `{property}` at end of rule")),
                };
                let value = self.value(op)?;
                Ok(Expr::Cmp {
                    property,
                    op,
                    value,
                })
            }
            Some(t) => err(format!(
                "expected `(`, `-not` or a property {where_}, found {t}"
            )),
            None => err("expected a comparison at end of rule"),
        }
    }

    fn value(&mut self, op: Op) -> Result<Value, ParseError> {
        let where_ = self.at();
        let v = match self.next() {
            Some(Tok::Str(s)) => Value::Str(s),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Value::Null,
            Some(Tok::Word(w)) => Value::Str(w),
            Some(Tok::LBracket) => {
                let mut items = vec![];
                loop {
                    match self.next() {
                        Some(Tok::Str(s)) | Some(Tok::Word(s)) => items.push(s),
                        Some(Tok::RBracket) if items.is_empty() => break,
                        t => {
                            return err(format!(
                                "expected a string in the list {where_}, found {}",
                                t.map(|t| t.to_string())
                                    .unwrap_or_else(|| "end of rule".into())
                            ))
                        }
                    }
                    match self.next() {
                        Some(Tok::Comma) => continue,
                        Some(Tok::RBracket) => break,
                        _ => return err(format!("expected `,` or `]` in the list {where_}")),
                    }
                }
                Value::List(items)
            }
            Some(t) => {
                return err(format!(
                    "expected a value for {} {where_}, found {t}",
                    op.name()
                ))
            }
            None => return err(format!("expected a value for {} at end of rule", op.name())),
        };
        match (&v, op) {
            (Value::List(_), Op::In | Op::NotIn) => Ok(v),
            (Value::List(_), _) => err(format!(
                "{} takes a single value, not a list {where_}",
                op.name()
            )),
            (_, Op::In | Op::NotIn) => {
                err(format!("{} takes a bracketed list {where_}", op.name()))
            }
            _ => Ok(v),
        }
    }
}

/// Parse one rule.
pub fn parse(rule: &str) -> Result<Expr, ParseError> {
    let n = rule.chars().count();
    if n > MAX_RULE_CHARS {
        return err(format!(
            "rule is {n} characters; the limit is {MAX_RULE_CHARS} (V10)"
        ));
    }
    let toks = lex(rule).map_err(|e| ParseError {
        message: e.to_string(),
    })?;
    if toks.is_empty() {
        return err("empty rule");
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.or_expr()?;
    if p.pos < p.toks.len() {
        return err(format!("unexpected {} {}", p.toks[p.pos].tok, p.at()));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_binds_tighter_than_or() {
        let e = parse(r#"device.a -eq "1" -or device.b -eq "2" -and device.c -eq "3""#);
        assert!(matches!(e, Ok(Expr::Or(ref v)) if matches!(v[1], Expr::And(_))));
    }

    #[test]
    fn rejects_match() {
        let e = parse(r#"device.displayName -match "^A""#);
        assert!(e.is_err_and(|e| e.message.contains("unsupported operator -match")));
    }
}
