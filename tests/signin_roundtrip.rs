//! load → Parquet (canonical schema) → load gives identical canonical rows.

use careplay::signin::{self, schema, LoadOptions};
use polars::prelude::{ParquetWriter, SerReader};
use std::path::PathBuf;

fn fx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signin")
        .join(name)
}

#[test]
fn parquet_round_trip_is_exact() {
    let inputs = vec![
        fx("graph_v1_page.json"),
        fx("graph_beta_array.json"),
        fx("graph_ndjson.jsonl"),
        fx("diag_tree"),
        fx("eventhub.json"),
        fx("la_signinlogs.csv"),
        fx("la_noninteractive.json"),
        fx("InteractiveSignIns_2025-12-04_2025-12-05.csv"),
        fx("InteractiveSignIns_AuthDetails_2025-12-04_2025-12-05.csv"),
    ];
    let first = signin::load(&inputs, &LoadOptions::default()).unwrap();
    assert!(first.records.len() >= 15);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("canonical.parquet");
    let mut df = schema::to_dataframe(&first.records).unwrap();
    assert_eq!(df.schema().as_ref(), &schema::polars_schema());
    ParquetWriter::new(std::fs::File::create(&out).unwrap())
        .finish(&mut df)
        .unwrap();

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
