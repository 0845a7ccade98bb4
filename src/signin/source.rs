//! Opening inputs: path expansion (files, folders recursively, globs), gzip by magic
//! bytes, UTF-8 BOM stripping, and a content prefix for sniffing.

use super::error::LoadError;
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Chain, Cursor, Read};
use std::path::{Path, PathBuf};

/// Bytes sniffed before choosing a reader (signin-logs.md §2: ~64 KiB).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// File extensions picked up when walking a folder (explicit files may have any name).
const FOLDER_EXTS: &[&str] = &[
    "json", "jsonl", "ndjson", "csv", "parquet", "gz", "log", "txt",
];

/// Expand the command-line inputs into files, in a stable order.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    if paths.is_empty() {
        return Err(LoadError::NoInput);
    }
    let mut out = Vec::new();
    for p in paths {
        let s = p.to_string_lossy();
        if !p.exists() && s.contains(['*', '?', '[']) {
            let matches = glob::glob(&s).map_err(|e| LoadError::BadGlob {
                pattern: s.to_string(),
                message: e.to_string(),
            })?;
            let mut found: Vec<PathBuf> = Vec::new();
            for m in matches {
                let m = m.map_err(|e| LoadError::Io {
                    path: e.path().to_path_buf(),
                    source: std::io::Error::new(e.error().kind(), e.error().to_string()),
                })?;
                if m.is_dir() {
                    walk(&m, &mut found)?;
                } else {
                    found.push(m);
                }
            }
            if found.is_empty() {
                return Err(LoadError::NoMatch {
                    pattern: s.to_string(),
                });
            }
            found.sort();
            out.extend(found);
        } else if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(LoadError::NotFound { path: p.clone() });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |e| LoadError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            if FOLDER_EXTS.contains(&ext.as_str()) {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// Decompressed content: the sniffed prefix replayed in front of the rest.
pub type Content = BufReader<Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>>;

/// An opened input: decompressed, BOM stripped, with its first bytes kept for sniffing and
/// replayed in front of the rest.
pub struct Opened {
    pub prefix: Vec<u8>,
    pub reader: Content,
    pub compressed: bool,
    /// Size on disk.
    pub size: u64,
}

/// Open a file. `wrap` can wrap the raw file reader (progress bars count disk bytes).
pub fn open(
    path: &Path,
    wrap: impl FnOnce(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
) -> Result<Opened, LoadError> {
    let io = |e| LoadError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let file = File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            LoadError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            io(e)
        }
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut raw = BufReader::new(wrap(Box::new(file)));
    let magic = raw.fill_buf().map_err(io)?;
    let compressed = magic.starts_with(&[0x1f, 0x8b]);
    let mut inner: Box<dyn Read + Send> = if compressed {
        Box::new(MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    (&mut inner)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)
        .map_err(io)?;
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        prefix.drain(..3);
    }
    let reader = BufReader::with_capacity(256 * 1024, Cursor::new(prefix.clone()).chain(inner));
    Ok(Opened {
        prefix,
        reader,
        compressed,
        size,
    })
}
