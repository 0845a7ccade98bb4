#!/usr/bin/env python3
"""DuckDB side of benches/run.sh: project a few fields of a Graph sign-in NDJSON file and
group them (the comparison the performance issue names). Prints one `key=value` line per
figure so run.sh can build its table. Threads: DuckDB's default (all cores)."""
import resource
import sys
import time

try:
    import duckdb
except ImportError:
    print("duckdb=unavailable")
    sys.exit(0)

path = sys.argv[1]
con = duckdb.connect()
t0 = time.perf_counter()
rows = con.execute(
    """
    SELECT userId, appId, conditionalAccessStatus, count(*) AS events
    FROM read_json(?, format = 'newline_delimited',
                   columns = {'userId': 'VARCHAR', 'appId': 'VARCHAR',
                              'conditionalAccessStatus': 'VARCHAR',
                              'ipAddress': 'VARCHAR'})
    GROUP BY ALL
    """,
    [path],
).fetchall()
secs = time.perf_counter() - t0
events = sum(r[3] for r in rows)
rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"duckdb_version={duckdb.__version__}")
print(f"duckdb_seconds={secs:.3f}")
print(f"duckdb_events={events}")
print(f"duckdb_groups={len(rows)}")
print(f"duckdb_peak_rss_mib={rss_kib / 1024:.0f}")
