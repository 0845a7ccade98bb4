"""Reader tests of careplay's per-event file (`--events-out`) and CSV report folder.

Run by .ci/events-readers.sh, which builds the files with the debug binary and passes
them in the environment:

  CAREPLAY_EVENTS      comma-separated `events.parquet:report.json` pairs
  CAREPLAY_CSV_DIRS    comma-separated `--format csv -o DIR` folders (optional)

Each library (pandas through pyarrow, polars, DuckDB) must read every Parquet file
without options, find as many rows as the JSON report's event total, and see the types
the README documents. Runs under pytest or as a plain script.
"""

import json
import os
import sys

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

# Column -> kind, the README's "Events file" table.
TEXT = "text"
CATEGORY = "category"
LIST = "list<string>"
TIMESTAMP = "timestamp[us, UTC]"
BOOL = "bool"
INT32 = "int32"

COLUMNS = {
    "request_id": TEXT,
    "created_at": TIMESTAMP,
    "event_type": CATEGORY,
    "user_id": TEXT,
    "user_principal_name": TEXT,
    "user_display_name": TEXT,
    "app_id": TEXT,
    "app_display_name": TEXT,
    "resource_id": TEXT,
    "resource_display_name": TEXT,
    "ip": TEXT,
    "country": TEXT,
    "location": TEXT,
    "client_app_type": CATEGORY,
    "device_id": TEXT,
    "device_os": TEXT,
    "device_registered": BOOL,
    "device_compliant": BOOL,
    "device_managed": BOOL,
    "device_trust_type": CATEGORY,
    "error_code": INT32,
    "baseline_outcome": CATEGORY,
    "candidate_outcome": CATEGORY,
    "change": CATEGORY,
    "baseline_policies_applied": LIST,
    "candidate_policies_applied": LIST,
    "baseline_policy_ids_applied": LIST,
    "candidate_policy_ids_applied": LIST,
    "candidate_demand": TEXT,
    "changed_by": LIST,
    "changed_by_ids": LIST,
    "explanation": TEXT,
    "unknown_causes": LIST,
    "unknown_reasons": LIST,
}

OUTCOMES = {"allowed", "challenged", "blocked", "unknown"}
CHANGES = {"unchanged", "newly_blocked", "newly_challenged", "newly_unknown", "relieved"}
# engine/undecided.rs and the condition names of model::Condition.
CAUSE_CODES_EXTRA = {"grant", "interaction", "sessionControl"}


def pairs():
    raw = os.environ.get("CAREPLAY_EVENTS", "")
    out = [tuple(p.split(":", 1)) for p in raw.split(",") if p]
    assert out, "CAREPLAY_EVENTS names no events.parquet:report.json pair"
    return out


def event_total(report_path):
    with open(report_path, encoding="utf-8") as f:
        return json.load(f)["totals"]["all"]["events"]


def check_pyarrow(path):
    schema = pq.read_schema(path)
    assert schema.names == list(COLUMNS), schema.names
    for name, kind in COLUMNS.items():
        t = schema.field(name).type
        if kind == TEXT:
            ok = pa.types.is_large_string(t) or pa.types.is_string(t)
        elif kind == CATEGORY:
            ok = pa.types.is_dictionary(t) and (
                pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
            )
        elif kind == LIST:
            ok = (pa.types.is_large_list(t) or pa.types.is_list(t)) and (
                pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
            )
        elif kind == TIMESTAMP:
            ok = pa.types.is_timestamp(t) and t.unit == "us" and t.tz == "UTC"
        elif kind == BOOL:
            ok = pa.types.is_boolean(t)
        else:
            ok = t == pa.int32()
        assert ok, f"{path}: {name} is {t}, expected {kind}"


def check_pandas(path, total):
    df = pd.read_parquet(path)
    assert len(df) == total, (path, len(df), total)
    assert list(df.columns) == list(COLUMNS)
    for name, kind in COLUMNS.items():
        d = df[name].dtype
        if kind == CATEGORY:
            assert isinstance(d, pd.CategoricalDtype), (name, d)
        elif kind == TIMESTAMP:
            assert isinstance(d, pd.DatetimeTZDtype) and str(d.tz) == "UTC" and d.unit == "us", (
                name,
                d,
            )
        elif kind == INT32:
            # int32, or float64 / Int32 when a row has no error code.
            assert pd.api.types.is_numeric_dtype(d), (name, d)
        elif kind == LIST:
            assert d == object, (name, d)
            first = df[name].iloc[0] if len(df) else []
            assert all(isinstance(x, str) for x in list(first)), (name, first)
    assert set(df["baseline_outcome"].cat.categories) >= OUTCOMES
    assert set(df["change"].astype(str)) <= CHANGES
    # Parallel lists: one id per policy name, one reason per cause.
    for names, ids in [
        ("candidate_policies_applied", "candidate_policy_ids_applied"),
        ("baseline_policies_applied", "baseline_policy_ids_applied"),
        ("changed_by", "changed_by_ids"),
        ("unknown_causes", "unknown_reasons"),
    ]:
        assert (df[names].map(len) == df[ids].map(len)).all(), (names, ids)
    undecided = (df["baseline_outcome"] == "unknown") | (df["candidate_outcome"] == "unknown")
    assert (df.loc[undecided, "unknown_causes"].map(len) > 0).all(), "undecided row without cause"
    assert (df.loc[~undecided, "unknown_causes"].map(len) == 0).all(), "decided row with a cause"


def check_polars(path, total):
    df = pl.read_parquet(path)
    assert df.height == total, (path, df.height, total)
    want = {
        TEXT: pl.String,
        CATEGORY: pl.Categorical,
        LIST: pl.List(pl.String),
        TIMESTAMP: pl.Datetime("us", "UTC"),
        BOOL: pl.Boolean,
        INT32: pl.Int32,
    }
    for name, kind in COLUMNS.items():
        got = df.schema[name]
        assert got == want[kind], f"{path}: {name} is {got}, expected {want[kind]}"
    # The headline from the file: newly blocked events.
    return df.filter(pl.col("change") == "newly_blocked").height


def check_duckdb(path, total):
    con = duckdb.connect()
    n = con.execute("select count(*) from read_parquet(?)", [path]).fetchone()[0]
    assert n == total, (path, n, total)
    types = dict(
        con.execute("select column_name, column_type from (describe select * from read_parquet(?))", [path]).fetchall()
    )
    want = {
        TEXT: {"VARCHAR"},
        CATEGORY: {"VARCHAR"},
        LIST: {"VARCHAR[]"},
        TIMESTAMP: {"TIMESTAMP WITH TIME ZONE"},
        BOOL: {"BOOLEAN"},
        INT32: {"INTEGER"},
    }
    for name, kind in COLUMNS.items():
        assert types[name] in want[kind], f"{path}: {name} is {types[name]}, expected {kind}"
    blocked = con.execute(
        "select count(*) from read_parquet(?) where change = 'newly_blocked'", [path]
    ).fetchone()[0]
    return blocked


def test_events_files():
    for events, report in pairs():
        total = event_total(report)
        with open(report, encoding="utf-8") as f:
            newly_blocked = json.load(f)["totals"]["newly_blocked"]["events"]
        check_pyarrow(events)
        check_pandas(events, total)
        assert check_polars(events, total) == newly_blocked, events
        assert check_duckdb(events, total) == newly_blocked, events
        print(f"ok: {events}: {total} rows read by pandas {pd.__version__}, polars {pl.__version__}, duckdb {duckdb.__version__}")


def test_csv_dirs():
    raw = os.environ.get("CAREPLAY_CSV_DIRS", "")
    dirs = [d for d in raw.split(",") if d]
    for d in dirs:
        files = sorted(f for f in os.listdir(d) if f.endswith(".csv"))
        assert "headline.csv" in files and "transitions.csv" in files, (d, files)
        for f in files:
            path = os.path.join(d, f)
            a = pd.read_csv(path)
            b = pl.read_csv(path)
            assert list(a.columns) == b.columns, (path, list(a.columns), b.columns)
            assert len(a) == b.height, path
            assert len(a.columns) >= 1, path
        print(f"ok: {d}: {len(files)} CSV files read by pandas and polars")


if __name__ == "__main__":
    test_events_files()
    test_csv_dirs()
    sys.exit(0)
