//! The coverage table (docs/coverage.md) is generated from the case folders: each
//! `tests/cases/<condition>/features.yaml` lists the features of that condition, whether
//! careplay parses and evaluates them, when the answer is Unknown, the doc it follows and
//! the cases that show it. This test checks that every case id a feature names exists in
//! that folder, that every case of the folder belongs to some feature (so the table cannot
//! silently miss what is tested), and that docs/coverage.md is what the files say (bless
//! with `CAREPLAY_BLESS=1 cargo test --test coverage_table`).

mod common;

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Feature {
    feature: String,
    parsed: Level,
    evaluated: Evaluated,
    unknown_when: String,
    source: String,
    cases: Vec<String>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Level {
    Yes,
    Partly,
    No,
}

/// How a feature is evaluated: decided as the docs say, partly, always Unknown by design
/// (the fact is in no input careplay reads), only recorded in the session summary, or not.
#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Evaluated {
    Yes,
    Partly,
    Unknown,
    Recorded,
    No,
}

impl Level {
    fn text(self) -> &'static str {
        match self {
            Level::Yes => "yes",
            Level::Partly => "partly",
            Level::No => "no",
        }
    }
}

impl Evaluated {
    fn text(self) -> &'static str {
        match self {
            Evaluated::Yes => "yes",
            Evaluated::Partly => "partly",
            Evaluated::Unknown => "Unknown by design",
            Evaluated::Recorded => "recorded only",
            Evaluated::No => "no",
        }
    }
}

/// Case ids of each case file of a folder (file name -> ids in file order).
fn case_ids(folder: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(folder).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") || name == "features.yaml" {
            continue;
        }
        let cases: Vec<serde_yaml::Value> =
            serde_yaml::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let ids = cases
            .iter()
            .map(|c| {
                c.get("id")
                    .and_then(|v| v.as_str())
                    .unwrap_or_else(|| panic!("{}: a case without id", p.display()))
                    .to_string()
            })
            .collect();
        out.insert(name, ids);
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[test]
fn coverage_table_is_generated_from_the_case_folders() {
    let cases = common::root().join("tests/cases");
    let mut folders: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(
        !folders.is_empty(),
        "no case folders under {}",
        cases.display()
    );

    let mut problems = Vec::new();
    let mut out = String::new();
    out.push_str("# Conditional Access coverage\n\n");
    out.push_str(
        "Generated from `tests/cases/<condition>/features.yaml` by `tests/coverage_table.rs`; \
         do not edit by hand (`CAREPLAY_BLESS=1 cargo test --test coverage_table`). Each row \
         is a feature of one condition: whether careplay parses it, how it is evaluated \
         (*yes* = decided as the cited doc says; *partly*; *Unknown by design* = the fact is in \
         no input careplay reads, so the answer is Unknown, never a guess; *recorded only* = \
         listed in the session summary, never deciding), when the answer is Unknown, the doc \
         followed, and the case files that show it (run by `tests/engine_cases.rs`).\n",
    );
    let (mut n_features, mut n_cases) = (0usize, 0usize);
    for folder in &folders {
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let ids = case_ids(folder);
        let file_of: BTreeMap<&str, &str> = ids
            .iter()
            .flat_map(|(f, v)| v.iter().map(move |id| (id.as_str(), f.as_str())))
            .collect();
        let fpath = folder.join("features.yaml");
        let features: Vec<Feature> = match std::fs::read_to_string(&fpath) {
            Ok(t) => {
                serde_yaml::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", fpath.display()))
            }
            Err(e) => {
                problems.push(format!(
                    "{}: {e} (every case folder describes its features)",
                    fpath.display()
                ));
                continue;
            }
        };
        let mut claimed = BTreeSet::new();
        out.push_str(&format!("\n## {name}\n\n"));
        out.push_str("| feature | parsed | evaluated | Unknown when | doc | case files |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for f in &features {
            n_features += 1;
            let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for id in &f.cases {
                match file_of.get(id.as_str()) {
                    Some(file) => by_file.entry(file).or_default().push(id),
                    None => problems.push(format!(
                        "{name}/features.yaml: feature {:?} names case {id}, which is not in tests/cases/{name}/",
                        f.feature
                    )),
                }
                claimed.insert(id.as_str());
            }
            let cases_cell = if by_file.is_empty() {
                "—".to_string()
            } else {
                by_file
                    .iter()
                    .map(|(file, ids)| format!("`{name}/{file}`: {}", ids.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(&f.feature),
                f.parsed.text(),
                f.evaluated.text(),
                cell(&f.unknown_when),
                cell(&f.source),
                cases_cell
            ));
        }
        for id in file_of.keys() {
            n_cases += 1;
            if !claimed.contains(id) {
                problems.push(format!(
                    "{name}: case {id} is listed under no feature of {name}/features.yaml"
                ));
            }
        }
    }
    out.push_str(&format!(
        "\n{n_features} features in {} condition folders, {n_cases} cases.\n",
        folders.len()
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    common::golden("docs/coverage.md", &out);
}
