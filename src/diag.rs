//! Where an input problem came from: file, line, JSON path.

use std::fmt;
use std::path::PathBuf;

/// A location inside an input file. Every field is optional; Display prints what is known
/// as `file:line: $.json.path`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: Option<PathBuf>,
    pub line: Option<u64>,
    pub json_path: Option<String>,
}

impl Origin {
    pub fn file(path: impl Into<PathBuf>) -> Origin {
        Origin {
            file: Some(path.into()),
            ..Origin::default()
        }
    }
    pub fn with_line(mut self, line: u64) -> Origin {
        self.line = Some(line);
        self
    }
    pub fn with_path(mut self, path: impl Into<String>) -> Origin {
        self.json_path = Some(path.into());
        self
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            wrote = true;
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            wrote = true;
        }
        if let Some(p) = &self.json_path {
            if wrote {
                f.write_str(": ")?;
            }
            f.write_str(p)?;
            wrote = true;
        }
        if !wrote {
            f.write_str("<input>")?;
        }
        Ok(())
    }
}
