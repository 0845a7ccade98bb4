"""Execute a notebook headless with nbclient, failing on any cell error: how CI runs
notebooks/explore_events.ipynb (.ci/events-readers.sh). The executed copy is written
beside the output folder so its plots and tables can be looked at.

Usage: python notebooks/execute.py NOTEBOOK OUT.ipynb  (CAREPLAY_EVENTS names the events file)
"""

import sys

import nbformat
from nbclient import NotebookClient


def main(path, out):
    nb = nbformat.read(path, as_version=4)
    # A cell error raises CellExecutionError, so the script exits non-zero.
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    nbformat.write(nb, out)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    print(f"ok: {path}: {cells} code cells executed by nbclient")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
