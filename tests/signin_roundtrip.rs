//! load → Parquet (canonical schema) → load gives identical canonical rows.

use careplay::signin::{self, schema, LoadOptions};
use polars::prelude::{ParquetWriter, SerReader};
use std::path::PathBuf;

fn fx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signin")
        .join(name)
}

fn write_parquet(path: &std::path::Path, df: &mut polars::prelude::DataFrame) {
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(df)
        .unwrap();
}

/// The JSON fixtures (Graph, diagnostic settings, Event Hubs, Log Analytics).
const JSON_FIXTURES: [&str; 6] = [
    "graph_v1_page.json",
    "graph_beta_array.json",
    "graph_ndjson.jsonl",
    "diag_tree",
    "eventhub.json",
    "la_noninteractive.json",
];

#[test]
fn parquet_round_trip_is_exact() {
    let inputs: Vec<PathBuf> = JSON_FIXTURES
        .iter()
        .chain(&[
            "la_signinlogs.csv",
            "InteractiveSignIns_2025-12-04_2025-12-05.csv",
            "InteractiveSignIns_AuthDetails_2025-12-04_2025-12-05.csv",
        ])
        .map(|f| fx(f))
        .collect();
    let first = signin::load(&inputs, &LoadOptions::default()).unwrap();
    assert!(first.records.len() >= 15);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("canonical.parquet");
    let mut df = schema::to_dataframe(&first.records).unwrap();
    assert_eq!(df.schema().as_ref(), &schema::polars_schema());
    write_parquet(&out, &mut df);

    let second = signin::load(std::slice::from_ref(&out), &LoadOptions::default()).unwrap();
    assert_eq!(second.ledger.files[0].format, "parquet");
    assert_eq!(second.ledger.rows_rejected(), 0);
    assert_eq!(second.records, first.records);

    // The frame itself round-trips too.
    let back = polars::prelude::ParquetReader::new(std::fs::File::open(&out).unwrap())
        .finish()
        .unwrap();
    assert_eq!(schema::from_dataframe(&back).unwrap(), first.records);
}

#[test]
fn from_dataframe_names_a_missing_column() {
    let df = polars::prelude::DataFrame::empty();
    let err = schema::from_dataframe(&df).unwrap_err().to_string();
    assert!(
        err.contains("canonical column `event_id`: missing"),
        "{err}"
    );
}

/// A replay's load of canonical Parquet leaves the columns it never reads unread, as the
/// JSON readers skip those fields: it gives the full load with those fields cleared
/// (`SignInRecord::clear_replay_skipped`, the slow twin), the JSON replay load itself, and
/// it loads a file whose only fault is in such a column, which the full load rejects,
/// naming the column.
#[test]
fn replay_reads_of_parquet_skip_the_unread_columns() {
    let inputs: Vec<PathBuf> = JSON_FIXTURES.iter().map(|f| fx(f)).collect();
    let full = signin::load(&inputs, &LoadOptions::default()).unwrap();
    let replay_json = signin::load(&inputs, &LoadOptions::for_replay(None, false)).unwrap();
    assert!(
        full.records.iter().any(|r| r.ca_policies.is_some()),
        "the fixtures carry logged CA results"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("canonical.parquet");
    let mut df = schema::to_dataframe(&full.records).unwrap();
    write_parquet(&out, &mut df);
    let replay = signin::load(
        std::slice::from_ref(&out),
        &LoadOptions::for_replay(None, false),
    )
    .unwrap();
    let mut cleared = full.records.clone();
    cleared.iter_mut().for_each(|r| r.clear_replay_skipped());
    assert_eq!(replay.records, cleared);
    assert_eq!(replay.records, replay_json.records);

    // Corrupt the logged CA results: only the full load reads them.
    let n = df.height();
    let mut bad = df.clone();
    bad.with_column(polars::prelude::Column::new(
        "ca_policies".into(),
        vec!["[{not json"; n],
    ))
    .unwrap();
    let bad_path = dir.path().join("bad.parquet");
    write_parquet(&bad_path, &mut bad);
    let ok = signin::load(
        std::slice::from_ref(&bad_path),
        &LoadOptions::for_replay(None, false),
    )
    .unwrap();
    assert_eq!(ok.records, cleared);
    let err = signin::load(std::slice::from_ref(&bad_path), &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("ca_policies"), "{err}");
}
