//! Files of the tenant folder, each written beside its target and renamed into place when
//! complete: an interrupted fetch leaves the previous file or none, never half a file.

use super::error::FetchError;
use flate2::write::GzEncoder;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically (a `.careplay-*` file in the same folder, renamed).
pub fn atomic(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| FetchError::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".careplay-")
        .tempfile_in(dir)
        .map_err(|e| FetchError::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| FetchError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| FetchError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| FetchError::io(path, e.error))?;
    Ok(())
}

/// Pretty JSON, newline-terminated.
pub fn json(path: &Path, v: &Value) -> Result<(), FetchError> {
    let mut text = serde_json::to_string_pretty(v).map_err(|e| {
        FetchError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    text.push('\n');
    atomic(path, text.as_bytes())
}

/// Records as gzip-compressed JSON Lines (one record per line).
pub fn ndjson_gz(path: &Path, records: &[Value]) -> Result<(), FetchError> {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    for r in records {
        let line = serde_json::to_vec(r).map_err(|e| {
            FetchError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
        gz.write_all(&line)
            .and_then(|()| gz.write_all(b"\n"))
            .map_err(|e| FetchError::io(path, e))?;
    }
    let bytes = gz.finish().map_err(|e| FetchError::io(path, e))?;
    atomic(path, &bytes)
}
