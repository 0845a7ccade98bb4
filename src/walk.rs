//! Which files a list of command-line paths means — the one implementation shared by the
//! sign-in loader (`signin::source`) and the policy loader (`policy::load::source`).
//!
//! * Files as given (any name), folders walked recursively (only names the caller's
//!   filter keeps), glob patterns expanded; each argument's files sorted, so output is
//!   stable.
//! * Each real file once, whatever the route: paths are canonicalised (symlinks resolved)
//!   and a file reached a second time — named twice, through a symlink, or through a
//!   symlink loop — is dropped; the first name is kept. Folders are entered once by their
//!   canonical path, so a symlink loop cannot recurse forever (it used to be followed 40
//!   levels deep, until the path grew too long, reading every file 41 times).
//! * Named pipes, sockets and devices are never opened (opening a FIFO with no writer
//!   blocks forever, and the loaders read every input twice: sniff, then load); they are
//!   returned in [`Walked::skipped`] for the caller to count and show.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Why an input could not be walked.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("{pattern}: the glob pattern matches no file")]
    NoMatch { pattern: String },
    #[error("{pattern}: invalid glob pattern: {message}")]
    BadGlob { pattern: String, message: String },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A file system entry that is not a regular file or folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Special {
    NamedPipe,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

impl Special {
    pub fn as_str(self) -> &'static str {
        match self {
            Special::NamedPipe => "named pipe",
            Special::Socket => "socket",
            Special::CharDevice => "character device",
            Special::BlockDevice => "block device",
            Special::Other => "not a regular file",
        }
    }
}

impl std::fmt::Display for Special {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An input left unopened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub kind: Special,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: skipped, a {} is not a regular file (never opened: reading it could block forever); save the export to a file",
            self.path.display(),
            self.kind
        )
    }
}

/// The walk's result: regular files, each once, in a stable order; special files left
/// unopened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// What a path is, following symlinks.
enum Kind {
    File,
    Dir,
    Special(Special),
}

fn kind_of(meta: &std::fs::Metadata) -> Kind {
    let t = meta.file_type();
    if t.is_file() {
        return Kind::File;
    }
    if t.is_dir() {
        return Kind::Dir;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Kind::Special(Special::NamedPipe);
        }
        if t.is_socket() {
            return Kind::Special(Special::Socket);
        }
        if t.is_char_device() {
            return Kind::Special(Special::CharDevice);
        }
        if t.is_block_device() {
            return Kind::Special(Special::BlockDevice);
        }
    }
    Kind::Special(Special::Other)
}

/// State of one expansion: what was seen, by canonical path.
struct Walk<'f> {
    keep: &'f dyn Fn(&Path) -> bool,
    out: Walked,
    seen_files: HashSet<PathBuf>,
    seen_dirs: HashSet<PathBuf>,
}

impl Walk<'_> {
    /// Add a regular file unless its canonical path was already added.
    fn file(&mut self, path: PathBuf, found: &mut Vec<PathBuf>) {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if self.seen_files.insert(canonical) {
            found.push(path);
        }
    }

    fn special(&mut self, path: PathBuf, kind: Special) {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if self.seen_files.insert(canonical) {
            self.out.skipped.push(Skipped { path, kind });
        }
    }

    /// Walk a folder (entered once by its canonical path); files its entries lead to are
    /// pushed to `found` (sorted by the caller).
    fn dir(&mut self, dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), WalkError> {
        let io = |e| WalkError::Io {
            path: dir.to_path_buf(),
            source: e,
        };
        let canonical = std::fs::canonicalize(dir).map_err(io)?;
        if !self.seen_dirs.insert(canonical) {
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(io)?;
        // Sorted, so the first name of a file reached twice is the same on every run.
        entries.sort();
        for path in entries {
            // A dangling symlink has no target metadata: it is kept as a file, so the
            // loader reports it missing instead of the walk hiding it.
            let kind = std::fs::metadata(&path)
                .map(|m| kind_of(&m))
                .unwrap_or(Kind::File);
            match kind {
                Kind::Dir => self.dir(&path, found)?,
                Kind::File if (self.keep)(&path) => self.file(path, found),
                Kind::Special(k) if (self.keep)(&path) => self.special(path, k),
                _ => {}
            }
        }
        Ok(())
    }

    /// One command-line argument that exists.
    fn arg(&mut self, path: &Path, meta: &std::fs::Metadata) -> Result<(), WalkError> {
        let mut found = Vec::new();
        match kind_of(meta) {
            Kind::File => self.file(path.to_path_buf(), &mut found),
            Kind::Dir => self.dir(path, &mut found)?,
            Kind::Special(k) => self.special(path.to_path_buf(), k),
        }
        found.sort();
        self.out.files.extend(found);
        Ok(())
    }

    fn glob(&mut self, pattern: &str) -> Result<(), WalkError> {
        let matches = glob::glob(pattern).map_err(|e| WalkError::BadGlob {
            pattern: pattern.to_string(),
            message: e.to_string(),
        })?;
        let mut paths = Vec::new();
        for m in matches {
            paths.push(m.map_err(|e| WalkError::Io {
                path: e.path().to_path_buf(),
                source: std::io::Error::new(e.error().kind(), e.error().to_string()),
            })?);
        }
        if paths.is_empty() {
            return Err(WalkError::NoMatch {
                pattern: pattern.to_string(),
            });
        }
        let mut found = Vec::new();
        for p in paths {
            match std::fs::metadata(&p).map(|m| kind_of(&m)) {
                Ok(Kind::Dir) => self.dir(&p, &mut found)?,
                Ok(Kind::Special(k)) => self.special(p, k),
                // Files, and dangling links (reported missing by the loader).
                _ => self.file(p, &mut found),
            }
        }
        found.sort();
        self.out.files.extend(found);
        Ok(())
    }
}

/// Expand `paths` (see the module comment). `keep` chooses which names found inside
/// folders are inputs; files named on the command line or matched by a glob are always
/// taken. A path that does not exist is an error unless it is a glob pattern that matches.
pub fn expand(paths: &[PathBuf], keep: &dyn Fn(&Path) -> bool) -> Result<Walked, WalkError> {
    let mut w = Walk {
        keep,
        out: Walked::default(),
        seen_files: HashSet::new(),
        seen_dirs: HashSet::new(),
    };
    for p in paths {
        match std::fs::metadata(p) {
            Ok(meta) => w.arg(p, &meta)?,
            Err(_) => {
                let s = p.to_string_lossy();
                if s.contains(['*', '?', '[']) {
                    w.glob(&s)?;
                } else {
                    return Err(WalkError::NotFound { path: p.clone() });
                }
            }
        }
    }
    Ok(w.out)
}

/// True when `path`'s extension is one of `exts` (ASCII case ignored).
pub fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(p: &Path) -> bool {
        has_extension(p, &["json"])
    }

    #[test]
    fn each_file_once_through_loops_links_and_repeats() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("a.json"), "{}").unwrap();
        std::fs::write(root.join("sub/b.json"), "{}").unwrap();
        std::fs::write(root.join("c.txt"), "x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
            std::os::unix::fs::symlink(root.join("a.json"), root.join("z.json")).unwrap();
        }
        let w = expand(
            &[root.to_path_buf(), root.join("a.json"), root.join("sub")],
            &json,
        )
        .unwrap();
        assert_eq!(w.files, vec![root.join("a.json"), root.join("sub/b.json")]);
        assert!(w.skipped.is_empty());
    }

    #[test]
    fn missing_paths_and_empty_globs_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("nope.json");
        assert!(matches!(
            expand(&[missing], &json),
            Err(WalkError::NotFound { .. })
        ));
        let pattern = d.path().join("*.json");
        assert!(matches!(
            expand(&[pattern], &json),
            Err(WalkError::NoMatch { .. })
        ));
    }
}
