"""The command line: parse the arguments, call the library, render. No logic lives here.

    fast.py     the console script (`clearance`): a plain `check` without Typer, the rest to app.py
    run.py      the body of `check` and the steps every command shares, without a CLI framework
    root.py     the Typer app: root command, groups, the one ClearanceError handler (exit 2)
    common.py   the Typer side's consoles, choices, shared options and steps
    check.py, scan.py, graph.py, bom.py, lock.py, init.py, notice.py, advise.py, explain.py,
    license.py, hub.py, serve.py: one module per command or group of commands

Exit codes: 0 success, 1 a check failed, 2 a usage or input error (with a message, never a
traceback).

This package's own import loads nothing (the fast path imports `clearance.cli.fast` and must
not pay for Typer); `from clearance.cli import app` still works, loading the Typer app then.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("app", "main"):
        from clearance.cli import root

        return getattr(root, name)
    raise AttributeError(f"module 'clearance.cli' has no attribute {name!r}")
