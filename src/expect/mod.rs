//! Regression expectations (`careplay test`): named outcomes that a policy change must
//! keep, over logged events and hypothetical sign-ins, checked against the candidate
//! policy set of a replay.
//!
//! `model` is the file format, `load` reads and checks files, `select` resolves selectors
//! against the tenant and matches events, `check` judges one outcome, `run` replays and
//! collects results, `render` and `junit` write them.

pub mod check;
pub mod junit;
pub mod load;
pub mod model;
pub mod render;
pub mod run;
pub mod select;

use std::fmt;

use crate::diag::Origin;

pub use check::{EventFailure, ExpectationResult, TestReport};
pub use load::{load_all, Hypothetical, Loaded};
pub use model::{Expectation, Expected, Selector};
pub use run::{compile, evaluate, Compiled, HypotheticalFacts};

/// One problem in an expectations file: where (file, line, path of the key) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub origin: Origin,
    pub message: String,
}

impl Problem {
    pub fn new(origin: Origin, message: impl Into<String>) -> Problem {
        Problem {
            origin,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[expectations] {}: {}", self.origin, self.message)
    }
}

/// Errors of `careplay test` (displayed by the binary; exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ExpectError {
    #[error("{}", list(.0))]
    Invalid(Vec<Problem>),
    #[error("no expectation file given (--expect FILE)")]
    NoFiles,
    #[error("{0}")]
    Replay(#[from] crate::replay::ReplayError),
}

fn list(problems: &[Problem]) -> String {
    let n = problems.len();
    let mut s = format!(
        "{n} problem{} in the expectations; nothing was evaluated:",
        if n == 1 { "" } else { "s" }
    );
    for p in problems {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    s
}
