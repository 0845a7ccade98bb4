//! Problems in the configuration inputs of a tenant snapshot (policies, named locations,
//! authentication strengths, directory snapshot). These are small files the user controls:
//! any problem stops the run before evaluation (one typed error listing every problem),
//! except broken policy files with `--keep-going`, which are skipped and make the answer
//! partial.

use std::fmt;

use crate::diag::Origin;
use crate::policy::{PolicyError, Rejection};

/// Which configuration input a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigInput {
    Policies,
    Locations,
    Strengths,
    Directory,
    Settings,
    CrossTenant,
}

impl ConfigInput {
    pub fn label(self) -> &'static str {
        match self {
            ConfigInput::Policies => "policy",
            ConfigInput::Locations => "named locations",
            ConfigInput::Strengths => "authentication strengths",
            ConfigInput::Directory => "directory snapshot",
            ConfigInput::Settings => "tenant settings",
            ConfigInput::CrossTenant => "cross-tenant access settings",
        }
    }
}

/// One problem: the input it is in, and where (file, line, JSON path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub input: ConfigInput,
    pub rejection: Rejection,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.input.label(), self.rejection)
    }
}

impl ConfigProblem {
    pub fn new(input: ConfigInput, origin: Origin, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            input,
            rejection: Rejection {
                origin,
                message: message.into(),
            },
        }
    }

    /// The problems a loader error stands for (one, or every listed rejection).
    pub fn from_error(input: ConfigInput, e: PolicyError) -> Vec<ConfigProblem> {
        let one =
            |origin: Origin, message: String| vec![ConfigProblem::new(input, origin, message)];
        match e {
            PolicyError::Rejected { rejected } => rejected
                .into_iter()
                .map(|rejection| ConfigProblem { input, rejection })
                .collect(),
            PolicyError::Invalid { origin, message } => one(origin, message),
            PolicyError::NotFound { path } => one(
                Origin::file(&path),
                "no such file or folder (and no file matches it as a glob)".to_string(),
            ),
            PolicyError::Io { path, message } => {
                one(Origin::file(&path), format!("cannot read: {message}"))
            }
            PolicyError::Glob { pattern, message } => one(
                Origin::default(),
                format!("invalid glob pattern {pattern:?}: {message}"),
            ),
        }
    }
}

/// Every configuration problem found; nothing was evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors {
    pub problems: Vec<ConfigProblem>,
    /// Whether `--keep-going` was given (and could not help: a problem is not in a policy
    /// file, or no policy is left).
    pub keep_going: bool,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{n} configuration error{} in the tenant snapshot; nothing was evaluated:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        let only_policies = self
            .problems
            .iter()
            .all(|p| p.input == ConfigInput::Policies);
        if self.keep_going {
            write!(
                f,
                "--keep-going skips broken policy files only, and only while a policy is left"
            )
        } else if only_policies {
            write!(
                f,
                "fix the files, or pass --keep-going to skip them (the answer is then partial \
                 and every --fail-on gate fails)"
            )
        } else {
            write!(f, "fix the files named above")
        }
    }
}
