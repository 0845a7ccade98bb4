"""Run a notebook's code cells in order as one Python script (no Jupyter needed), failing
on the first error: how CI executes notebooks/explore_events.ipynb headless
(.ci/events-readers.sh). The last expression of each cell is printed, as a notebook
would display it.

Usage: python notebooks/run_cells.py NOTEBOOK  (CAREPLAY_EVENTS names the events file)
"""

import ast
import json
import sys


def main(path):
    nb = json.load(open(path, encoding="utf-8"))
    scope = {"__name__": "__main__"}
    for k, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        tree = ast.parse("".join(cell["source"]), filename=f"{path} cell {k + 1}")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"{path} cell {k + 1}", "exec"), scope)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), f"{path} cell {k + 1}", "eval"), scope)
            if value is not None:
                print(value)
    print(f"ok: {path}: every code cell ran")


if __name__ == "__main__":
    main(sys.argv[1])
