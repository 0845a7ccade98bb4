//! Loading Graph JSON from files, folders and globs: policies, named locations,
//! authentication strengths and the directory snapshot.
//!
//! Every input problem becomes a [`Rejection`] naming the file, the line (syntax errors,
//! several JSON texts in one file) and the JSON path (`$.value[3].conditions.users`), and
//! what was expected. Only I/O problems (a missing path, an unreadable file) are a
//! [`PolicyError`]: bad content never aborts the load and is never dropped silently.

pub mod cross_tenant;
pub mod directory;
pub mod locations;
pub mod normalize;
pub mod policies;
pub mod references;
pub mod settings;
pub mod source;
pub mod strengths;
pub mod text;

use crate::diag::Origin;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

pub use cross_tenant::{load_cross_tenant, parse_cross_tenant_str};
pub use directory::{load_directory, parse_directory_str};
pub use locations::{
    load_named_locations, parse_named_locations_str, LoadedLocation, LocationLoad,
};
pub use policies::{load_policies, parse_policies_str, LoadedPolicy, PolicyLoad};
pub use settings::{load_tenant_settings, parse_tenant_settings_str};
pub use strengths::{load_strengths, parse_strengths_str, LoadedStrength, StrengthLoad};

/// A problem that stops a load: the input cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: no such file or folder (and no file matches it as a glob)")]
    NotFound { path: PathBuf },
    #[error("{path}: cannot read: {message}")]
    Io { path: PathBuf, message: String },
    #[error("invalid glob pattern {pattern:?}: {message}")]
    Glob { pattern: String, message: String },
    /// A single-document input (the directory snapshot) whose content is unusable.
    #[error("{origin}: {message}")]
    Invalid { origin: Origin, message: String },
    /// A single-document input with values outside their sets (every one is listed).
    #[error("{}", rejected.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rejected { rejected: Vec<Rejection> },
}

/// One input object (or whole file) that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub origin: Origin,
    pub message: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Per-file accounting: every object found in a file is either parsed or rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub path: PathBuf,
    pub parsed: usize,
    pub rejected: usize,
}

/// Objects of one kind loaded from many files.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub items: Vec<T>,
    pub rejected: Vec<Rejection>,
    pub files: Vec<FileSummary>,
}

/// The outcome of reading one top-level JSON value: items and rejections.
pub(crate) struct Sink<T> {
    pub items: Vec<T>,
    pub rejected: Vec<Rejection>,
}

impl<T> Sink<T> {
    fn new() -> Self {
        Sink {
            items: Vec::new(),
            rejected: Vec::new(),
        }
    }
    pub(crate) fn reject(&mut self, origin: Origin, message: impl Into<String>) {
        self.rejected.push(Rejection {
            origin,
            message: message.into(),
        });
    }
}

/// Where one top-level JSON text of a file starts: file, and line when the file holds
/// more than one text.
#[derive(Debug, Clone)]
pub(crate) struct TextOrigin {
    pub file: Option<PathBuf>,
    pub line: Option<u64>,
}

impl TextOrigin {
    pub(crate) fn at(&self, json_path: &str) -> Origin {
        Origin {
            file: self.file.clone(),
            line: self.line,
            json_path: Some(json_path.to_string()),
        }
    }
}

/// Parse `text` (already decoded) and hand every top-level value to `per_value`.
pub(crate) fn parse_text_into<T>(
    text: &str,
    file: Option<&Path>,
    sink: &mut Sink<T>,
    per_value: &mut dyn FnMut(Value, &TextOrigin, &mut Sink<T>),
) {
    let base = Origin {
        file: file.map(Path::to_path_buf),
        ..Origin::default()
    };
    match text::parse_texts(text) {
        Err(e) => sink.reject(
            Origin {
                line: Some(e.line),
                ..base
            },
            format!(
                "invalid JSON at line {} column {}: {}",
                e.line, e.column, e.message
            ),
        ),
        Ok(texts) if texts.is_empty() => sink.reject(base, "empty file: no JSON value"),
        Ok(texts) => {
            let many = texts.len() > 1;
            for t in texts {
                let origin = TextOrigin {
                    file: base.file.clone(),
                    line: many.then_some(t.line),
                };
                per_value(t.value, &origin, sink);
            }
        }
    }
}

/// Read, decode and parse every file of `paths` (files, folders, globs).
pub(crate) fn load_files<T>(
    paths: &[PathBuf],
    per_value: &mut dyn FnMut(Value, &TextOrigin, &mut Sink<T>),
) -> Result<Loaded<T>, PolicyError> {
    let files = source::expand_paths(paths)?;
    let mut loaded = Loaded {
        items: Vec::new(),
        rejected: Vec::new(),
        files: Vec::new(),
    };
    for path in files {
        let bytes = source::read(&path)?;
        let mut sink = Sink::new();
        match text::decode(&bytes) {
            Err(message) => sink.reject(Origin::file(&path), message),
            Ok(text) => parse_text_into(&text, Some(&path), &mut sink, per_value),
        }
        loaded.files.push(FileSummary {
            path,
            parsed: sink.items.len(),
            rejected: sink.rejected.len(),
        });
        loaded.items.extend(sink.items);
        loaded.rejected.extend(sink.rejected);
    }
    Ok(loaded)
}

/// Read and decode a single-document input (the directory snapshot, tenant settings,
/// cross-tenant access settings): a missing path is [`PolicyError::NotFound`], bytes that
/// are not text an [`PolicyError::Invalid`] naming the file.
pub(crate) fn read_document(path: &Path) -> Result<String, PolicyError> {
    if !path.exists() {
        return Err(PolicyError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let bytes = source::read(path)?;
    text::decode(&bytes).map_err(|message| PolicyError::Invalid {
        origin: Origin::file(path),
        message,
    })
}

/// Parse a string as if it were one file (no folder walking).
pub(crate) fn parse_str<T>(
    text: &str,
    origin: &Origin,
    per_value: &mut dyn FnMut(Value, &TextOrigin, &mut Sink<T>),
) -> (Vec<T>, Vec<Rejection>) {
    let mut sink = Sink::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse_text_into(text, origin.file.as_deref(), &mut sink, per_value);
    (sink.items, sink.rejected)
}

/// `base.key`, or `base["key"]` when the key is not a plain identifier.
/// Handles one object found by [`walk_objects`] at a JSON path.
pub(crate) type OneObject<'a, T> =
    dyn FnMut(serde_json::Map<String, Value>, String, &TextOrigin, &mut Sink<T>) + 'a;

/// Walk a document that holds objects of one kind: a single object, an array, a Graph page
/// (`value` + `@odata.*`), or any nesting of these; call `one` for every object and reject
/// anything else as "expected {what}". Shared by the named-location and strength loaders.
pub(crate) fn walk_objects<T>(
    value: Value,
    path: String,
    origin: &TextOrigin,
    sink: &mut Sink<T>,
    what: &str,
    one: &mut OneObject<'_, T>,
) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                walk_objects(item, json_index(&path, i), origin, sink, what, one);
            }
        }
        Value::Object(map) => {
            if let Some((key, Value::Array(_))) = get_ci(&map, "value") {
                if map.keys().all(|k| k == key || k.starts_with('@')) {
                    let key = key.clone();
                    if let Some((_, items)) = map.into_iter().find(|(k, _)| *k == key) {
                        walk_objects(items, json_child(&path, &key), origin, sink, what, one);
                    }
                    return;
                }
            }
            one(map, path, origin, sink);
        }
        other => sink.reject(
            origin.at(&path),
            format!("expected {what}, found {}", type_name(&other)),
        ),
    }
}

pub fn json_child(base: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{base}.{key}")
    } else {
        format!("{base}[{key:?}]")
    }
}

/// `base[i]`.
pub fn json_index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

/// Append a serde_path_to_error path (`conditions.users[0]`, or `.` for the root).
pub(crate) fn join_serde_path(base: &str, path: &serde_path_to_error::Path) -> String {
    let p = path.to_string();
    if p == "." || p.is_empty() {
        base.to_string()
    } else if p.starts_with('[') {
        format!("{base}{p}")
    } else {
        format!("{base}.{p}")
    }
}

/// Deserialize `value` into `T`; on failure, the JSON path of the offending value and
/// serde's "invalid type: …, expected …" text.
pub(crate) fn deserialize_at<T: serde::de::DeserializeOwned>(
    value: Value,
    base: &str,
) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map_err(|e| (join_serde_path(base, e.path()), e.inner().to_string()))
}

/// Case-insensitive key lookup on a raw (not yet normalised) object.
pub(crate) fn get_ci<'a>(
    map: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Option<(&'a String, &'a Value)> {
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// Why a document that is not the expected kind was refused: Graph error bodies,
/// empty objects, fragments, objects of another kind.
pub(crate) fn describe_other(map: &serde_json::Map<String, Value>) -> String {
    if map.is_empty() {
        return "an empty object `{}`".to_string();
    }
    if let Some((_, err)) = get_ci(map, "error") {
        let code = err.get("code").and_then(Value::as_str).unwrap_or("?");
        let msg = err.get("message").and_then(Value::as_str).unwrap_or("");
        return format!("a Graph error response ({code}: {msg})");
    }
    let odata = get_ci(map, "@odata.type").and_then(|(_, v)| v.as_str());
    if let Some(t) = odata {
        return format!("an object of type {t}");
    }
    let has = |k: &str| get_ci(map, k).is_some();
    if has("ipRanges") || has("countriesAndRegions") || has("compliantNetworkType") {
        return "a named location".to_string();
    }
    if has("allowedCombinations") {
        return "an authentication strength".to_string();
    }
    let keys: Vec<&str> = map.keys().take(6).map(String::as_str).collect();
    let more = if map.len() > 6 { ", …" } else { "" };
    format!("an object with keys {}{more}", keys.join(", "))
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
