//! Every document a user can be pointed at from the binary exists in the repository: the
//! string literals of src/ (report notes, errors, help) and the `///` help of src/cli/
//! name only files of this repository (README.md, docs/…), never the design specs kept
//! outside it, and Microsoft's pages by their learn.microsoft.com address. Comments may
//! cite Microsoft doc files by name (the project's rule); they are not output.

mod common;

use common::root;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// (line, text) of each string literal of a Rust source, and of its `///` doc comments
/// when `doc` (clap turns them into help).
fn texts(src: &str, doc: bool) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let (mut i, mut line, mut out) = (0usize, 1usize, Vec::new());
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(b.len(), |j| i + j);
            if doc && rest.starts_with("///") {
                out.push((line, src[i + 3..end].to_string()));
            }
            i = end;
            continue;
        }
        if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(b.len(), |j| i + j + 2);
            line += src[i..end].matches('\n').count();
            i = end;
            continue;
        }
        let prev_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i] == b'r' && !prev_ident {
            let hashes = rest[1..].bytes().take_while(|c| *c == b'#').count();
            if rest[1 + hashes..].starts_with('"') {
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = src[start..].find(&close).map_or(b.len(), |j| start + j);
                out.push((line, src[start..end].to_string()));
                line += src[i..end].matches('\n').count();
                i = end + close.len();
                continue;
            }
        }
        if b[i] == b'\'' {
            // A char literal ('"', '\'', '\u{feff}') or a lifetime.
            let from = if rest[1..].starts_with('\\') { 3 } else { 1 };
            if let Some(j) = rest.get(from..).and_then(|r| r.find('\'')) {
                if from + j <= 11 && !rest[1..from + j].contains('\n') {
                    i += from + j + 1;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push((line, src[i + 1..j.min(b.len())].to_string()));
            line += src[i..j.min(b.len())].matches('\n').count();
            i = j + 1;
            continue;
        }
        if b[i] == b'\n' {
            line += 1;
        }
        i += 1;
    }
    out
}

/// `name.md` tokens of a text, with what follows them.
fn md_refs(text: &str) -> Vec<String> {
    let mut refs = vec![];
    for (i, _) in text.match_indices(".md") {
        let after = text[i + 3..].chars().next();
        if after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
            .map_or(0, |j| j + 1);
        refs.push(text[start..i + 3].to_string());
    }
    refs
}

#[test]
fn every_document_the_binary_names_is_in_the_repository() {
    let mut files = vec![];
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 50);
    let mut bad = vec![];
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let rel = f.strip_prefix(root()).unwrap().display().to_string();
        let doc = rel.starts_with("src/cli/");
        for (line, text) in texts(&src, doc) {
            for r in md_refs(&text) {
                // A learn.microsoft.com address ending in .md is not a file reference.
                if !root().join(&r).is_file() && !r.contains("learn.microsoft.com") {
                    bad.push(format!(
                        "{rel}:{line}: `{r}` is not a file of the repository"
                    ));
                }
            }
            if text.contains('§') {
                bad.push(format!(
                    "{rel}:{line}: a § section of a document outside the repository: {}",
                    text.trim()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_scanner_sees_literals_and_help_not_comments() {
    let src = "// see policy-model.md §1\n/// help (evaluation.md §6.1)\nfn f() { let c = '\"'; let q = '\\''; g(\"a (x.md) b\"); h(r#\"y.md\"#); }\n";
    let t = texts(src, true);
    let all: Vec<String> = t.iter().flat_map(|(_, s)| md_refs(s)).collect();
    assert_eq!(all, vec!["evaluation.md", "x.md", "y.md"]);
    assert_eq!(texts(src, false).len(), 2);
    assert_eq!(
        md_refs("see docs/coverage.md, registration"),
        vec!["docs/coverage.md"]
    );
}
