//! Authentication strengths (policy-model.md §14): single objects, arrays, Graph pages.
//! Combination entries are normalised (`"password, sms"` -> `"password,sms"`).

use super::normalize::{collapse_null_objects, normalize};
use super::{
    describe_other, deserialize_at, load_files, parse_str, walk_objects, FileSummary, PolicyError,
    Rejection, Sink, TextOrigin,
};
use crate::diag::Origin;
use crate::policy::model::AuthenticationStrength;
use serde_json::{Map, Value};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct LoadedStrength {
    pub strength: AuthenticationStrength,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default)]
pub struct StrengthLoad {
    pub strengths: Vec<LoadedStrength>,
    pub rejected: Vec<Rejection>,
    pub files_read: usize,
    pub files: Vec<FileSummary>,
}

/// Load authentication strengths from files, folders and globs.
pub fn load_strengths(paths: &[PathBuf]) -> Result<StrengthLoad, PolicyError> {
    let loaded = load_files(paths, &mut |v, o, s| collect(v, "$".into(), o, s))?;
    Ok(StrengthLoad {
        strengths: loaded.items,
        rejected: loaded.rejected,
        files_read: loaded.files.len(),
        files: loaded.files,
    })
}

pub fn parse_strengths_str(text: &str, origin: &Origin) -> (Vec<LoadedStrength>, Vec<Rejection>) {
    parse_str(text, origin, &mut |v, o, s| collect(v, "$".into(), o, s))
}

fn collect(value: Value, path: String, origin: &TextOrigin, sink: &mut Sink<LoadedStrength>) {
    walk_objects(
        value,
        path,
        origin,
        sink,
        "an authenticationStrengthPolicy object",
        &mut one,
    );
}

fn one(
    raw: Map<String, Value>,
    path: String,
    origin: &TextOrigin,
    sink: &mut Sink<LoadedStrength>,
) {
    let Value::Object(map) = normalize(Value::Object(raw)) else {
        return;
    };
    let typed = map
        .get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| {
            t.to_ascii_lowercase()
                .ends_with("authenticationstrengthpolicy")
        });
    if !typed && !map.contains_key("allowedCombinations") {
        sink.reject(
            origin.at(&path),
            format!(
                "not an authenticationStrengthPolicy (no `allowedCombinations`): this is {}",
                describe_other(&map)
            ),
        );
        return;
    }
    let value = Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, collapse_null_objects(v)))
            .collect(),
    );
    match deserialize_at::<AuthenticationStrength>(value, &path) {
        Ok(mut strength) => {
            for c in &mut strength.allowed_combinations {
                *c = normalize_combination(c);
            }
            sink.items.push(LoadedStrength {
                strength,
                origin: origin.at(&path),
            });
        }
        Err((at, msg)) => sink.reject(origin.at(&at), msg),
    }
}

/// `"password, sms"` -> `"password,sms"` (one combination = comma-joined method modes).
pub fn normalize_combination(c: &str) -> String {
    c.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_rejections() {
        let (ok, rej) = parse_strengths_str(
            r##"{"@odata.context":"x","value":[{"id":"s1","allowedCombinations":["password, sms","fido2"]}]}"##,
            &Origin::file("s.json"),
        );
        assert!(rej.is_empty());
        assert_eq!(
            ok[0].strength.allowed_combinations,
            vec!["password,sms", "fido2"]
        );
        let (ok, rej) = parse_strengths_str(
            r#"{"grantControls":{"authenticationStrength":{"id":"authStrengthId"}}}"#,
            &Origin::file("s.json"),
        );
        assert!(ok.is_empty());
        assert!(rej[0]
            .message
            .contains("not an authenticationStrengthPolicy"));
    }
}
