//! Read expectations files (YAML or JSON) and check them. Any problem stops the run
//! before anything is evaluated, naming the file and the path of the bad key, as the
//! tenant's configuration inputs do (`replay::config`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::{Expectation, ExpectationsFile, Expected};
use super::{ExpectError, Problem};
use crate::diag::Origin;

/// Controls a challenge can ask for (`Control::kind` in the engine); `for:` names them.
pub const CONTROL_KINDS: &[&str] = &[
    "mfa",
    "authenticationStrength",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    "riskRemediation",
    "termsOfUse",
];

/// One hypothetical sign-in: `whatif` flags (kebab-case, without `--`) and their values, a
/// list giving the flag once per item. Turned into facts by the binary's `whatif` code.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothetical {
    /// `id:` of the entry, else `whatif[j]`.
    pub label: String,
    pub flags: Vec<(String, String)>,
    /// Where the entry is (file + path), for errors found when the flags are parsed.
    pub origin: Origin,
}

/// One expectation and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub expectation: Expectation,
    pub hypotheticals: Vec<Hypothetical>,
    /// File + `$.expectations[i]`.
    pub origin: Origin,
}

impl Loaded {
    /// The origin of a key inside this expectation (`…[i].select.group`).
    pub fn at(&self, key: &str) -> Origin {
        let base = self.origin.json_path.clone().unwrap_or_else(|| "$".into());
        Origin {
            json_path: Some(format!("{base}.{key}")),
            ..self.origin.clone()
        }
    }
}

/// Load every file; every problem of every file is listed. Names must be unique across
/// the files (they name the JUnit test cases).
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, ExpectError> {
    let mut problems = Vec::new();
    let mut out: Vec<Loaded> = Vec::new();
    for p in paths {
        match load_file(p) {
            Ok(l) => out.extend(l),
            Err(mut e) => problems.append(&mut e),
        }
    }
    for (i, l) in out.iter().enumerate() {
        let name = &l.expectation.name;
        if let Some(first) = out[..i].iter().find(|o| &o.expectation.name == name) {
            problems.push(Problem::new(
                l.at("name"),
                format!("name `{name}` is used twice (first at {})", first.origin),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ExpectError::Invalid(problems));
    }
    if out.is_empty() {
        return Err(ExpectError::NoFiles);
    }
    Ok(out)
}

/// Load one file: its expectations, or every problem found in it.
pub fn load_file(path: &Path) -> Result<Vec<Loaded>, Vec<Problem>> {
    let file = Origin::file(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![Problem::new(file.clone(), format!("cannot read: {e}"))])?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let value = parse_text(path, text).map_err(|p| vec![p])?;
    let doc: ExpectationsFile = serde_path_to_error::deserialize(value.clone()).map_err(|e| {
        let p = crate::policy::load::join_serde_path("$", e.path());
        vec![Problem::new(
            file.clone().with_path(p),
            e.inner().to_string(),
        )]
    })?;
    let mut problems = Vec::new();
    if let Some(v) = doc.version.filter(|v| *v != 1) {
        problems.push(Problem::new(
            file.clone().with_path("$.version"),
            format!("version {v} is not supported (only 1)"),
        ));
    }
    if doc.expectations.is_empty() {
        problems.push(Problem::new(
            file.clone().with_path("$.expectations"),
            "no expectation: an empty list would pass every change",
        ));
    }
    let raw = value.get("expectations").and_then(Value::as_array);
    let mut out = Vec::new();
    for (i, e) in doc.expectations.into_iter().enumerate() {
        let origin = file.clone().with_path(format!("$.expectations[{i}]"));
        let l = Loaded {
            hypotheticals: Vec::new(),
            expectation: e,
            origin,
        };
        let raw_entry = raw.and_then(|r| r.get(i));
        match check(l, raw_entry) {
            Ok(l) => out.push(l),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// YAML or JSON: by extension, else by the first character (JSON texts open with `{`).
fn parse_text(path: &Path, text: &str) -> Result<Value, Problem> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let json = match ext.as_deref() {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let file = Origin::file(path);
    if json {
        serde_json::from_str(text).map_err(|e| {
            Problem::new(
                file.with_line(e.line() as u64),
                format!("not valid JSON: {e}"),
            )
        })
    } else {
        serde_yaml::from_str(text).map_err(|e| {
            let origin = match e.location() {
                Some(l) => file.with_line(l.line() as u64),
                None => file,
            };
            Problem::new(origin, format!("not valid YAML: {e}"))
        })
    }
}

/// What the types cannot say: non-empty texts, something to check, `for:` only with
/// `challenged`, and the shape of each hypothetical sign-in.
fn check(mut l: Loaded, raw: Option<&Value>) -> Result<Loaded, Vec<Problem>> {
    let mut problems = Vec::new();
    let e = &l.expectation;
    if e.name.trim().is_empty() {
        problems.push(Problem::new(l.at("name"), "empty name"));
    }
    if e.reason.trim().is_empty() {
        problems.push(Problem::new(
            l.at("reason"),
            "empty reason: say why this outcome must hold",
        ));
    }
    if e.select.is_none() && e.whatif.is_empty() {
        problems.push(Problem::new(
            l.origin.clone(),
            "nothing to check: give `select` (logged events) or `whatif` (hypothetical sign-ins)",
        ));
    }
    if !e.for_controls.is_empty() && e.expect != Expected::Challenged {
        problems.push(Problem::new(
            l.at("for"),
            format!(
                "`for` applies to `expect: challenged` only (this expectation is `{}`)",
                e.expect.as_str()
            ),
        ));
    }
    for (j, c) in e.for_controls.iter().enumerate() {
        let kind = c.split_once(':').map_or(c.as_str(), |(k, _)| k);
        let named_ok = !c.contains(':') || kind == "authenticationStrength";
        if !CONTROL_KINDS.contains(&kind) || !named_ok {
            problems.push(Problem::new(
                l.at(&format!("for[{j}]")),
                format!(
                    "`{c}` is not a control; expected one of {} (or authenticationStrength:NAME)",
                    CONTROL_KINDS.join(", ")
                ),
            ));
        }
    }
    if raw
        .and_then(|r| r.get("select"))
        .is_some_and(Value::is_null)
    {
        problems.push(Problem::new(
            l.at("select"),
            "`select` is empty (null); write `select: {}` to select every event",
        ));
    }
    let mut hyps = Vec::new();
    for (j, entry) in e.whatif.iter().enumerate() {
        let origin = l.at(&format!("whatif[{j}]"));
        match hypothetical(j, entry, &origin) {
            Ok(h) => hyps.push(h),
            Err(p) => problems.push(p),
        }
    }
    l.hypotheticals = hyps;
    if problems.is_empty() {
        Ok(l)
    } else {
        Err(problems)
    }
}

fn hypothetical(
    j: usize,
    entry: &serde_json::Map<String, Value>,
    origin: &Origin,
) -> Result<Hypothetical, Problem> {
    let mut label = format!("whatif[{j}]");
    let mut flags = Vec::new();
    let at = |k: &str| {
        let base = origin.json_path.clone().unwrap_or_default();
        Origin {
            json_path: Some(crate::policy::load::json_child(&base, k)),
            ..origin.clone()
        }
    };
    for (k, v) in entry {
        if k == "id" {
            match v {
                Value::String(s) if !s.trim().is_empty() => label = s.clone(),
                _ => return Err(Problem::new(at(k), "`id` must be a non-empty string")),
            }
            continue;
        }
        let flag = k.replace('_', "-");
        let scalar = |v: &Value| -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        match v {
            Value::Array(items) => {
                for (n, item) in items.iter().enumerate() {
                    let s = scalar(item).ok_or_else(|| {
                        Problem::new(
                            at(&format!("{k}[{n}]")),
                            "expected a string, number or boolean",
                        )
                    })?;
                    flags.push((flag.clone(), s));
                }
            }
            other => {
                let s = scalar(other).ok_or_else(|| {
                    Problem::new(
                        at(k),
                        "expected a string, number, boolean or a list of them",
                    )
                })?;
                flags.push((flag, s));
            }
        }
    }
    Ok(Hypothetical {
        label,
        flags,
        origin: origin.clone(),
    })
}
