"""Clearance: what may you do with an open AI model, and why.

    >>> import clearance
    >>> run = clearance.check("TheBloke/Llama-2-7B-Chat-GGML", snapshots="data/hub-2025-sample.jsonl", offline=True)
    >>> run.results[0].verdict, run.results[0].inherited_licenses
    ('conditional', ('llama2',))

`check`, `scan`, `graph` and `load_policy`, and the values they return, are described in
docs/library.md. They load on first use: `import clearance` alone imports nothing more, so the
console script (`clearance.cli.fast`) starts as fast as it did.
"""

import sys

from clearance.util import TYPE_CHECKING
from clearance.util.version import __version__

# name -> the module that defines it, imported when the name is first used.
_PUBLIC = {
    "check": "clearance.api",
    "scan": "clearance.api",
    "graph": "clearance.api",
    "load_policy": "clearance.api",
    "Run": "clearance.api",
    "ScanRun": "clearance.api",
    "Result": "clearance.api",
    "Finding": "clearance.engine.values",
    "Obligation": "clearance.engine.values",
    "Policy": "clearance.policy.model",
    "PolicyError": "clearance.policy.load",
    "Graph": "clearance.graph.model",
    "Reference": "clearance.scan.model",
    "ArgumentError": "clearance.api",
    "ClearanceError": "clearance.util.errors",
}

__all__ = [
    "ArgumentError", "ClearanceError", "Finding", "Graph", "Obligation", "Policy", "PolicyError", "Reference",
    "Result", "Run", "ScanRun", "__version__", "check", "graph", "load_policy", "scan",
]  # a literal list, for linters and editors: tests/test_library_api.py compares it with _PUBLIC

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports them on first use
    from clearance.api import ArgumentError, Result, Run, ScanRun, check, graph, load_policy, scan
    from clearance.engine.values import Finding, Obligation
    from clearance.graph.model import Graph
    from clearance.policy.load import PolicyError
    from clearance.policy.model import Policy
    from clearance.scan.model import Reference
    from clearance.util.errors import ClearanceError


def __getattr__(name: str):
    where = _PUBLIC.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module  # importlib is loaded at startup: no cost

    found = getattr(import_module(where), name)
    globals()[name] = found
    return found


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


class _Package(type(sys)):
    """`clearance.scan` and `.graph` name both public functions and packages (`clearance/scan/`,
    `clearance/graph/`); so did `clearance.check` while the use case lived in `clearance/check.py`
    (now `clearance/usecases/check.py`). Importing a submodule
    sets it as an attribute of its package, which would replace the function; this keeps the
    function. The modules are still imported by their full names (`from clearance.scan import
    scan_path`, `importlib.import_module("clearance.graph.model")`)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("check", "scan", "graph") and isinstance(value, type(sys)):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
