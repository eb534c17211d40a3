"""What the Typer commands share: the consoles, the option vocabulary, and the small steps
several commands take (write to a file or stdout, read a PATH|TARGET argument, load a policy).

Errors: a command raises a `ClearanceError` (the library's, or `run.UsageError` for what the
user typed); `root.ClearanceGroup` prints it in one line and exits 2. Nothing here catches
an error class by class.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console

from clearance.cli import run
from clearance.cli.run import UsageError
from clearance.formats import names

# soft_wrap: long lines (paths, URLs, messages) are left to the terminal to wrap, never broken
# mid-word by Rich, and piped output keeps one record per line.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
# Rich lays tables out at 80 columns when stdout is no terminal; a pipe or a file has no
# width, so tables get as wide as their rows (COLUMNS still sets a width when given).
PIPE_WIDTH = 100_000


def fit_output() -> None:
    if not out.is_terminal and not os.environ.get("COLUMNS"):
        out.width = PIPE_WIDTH


def fail(message: str):
    """Stop the command: `error: MESSAGE` on stderr, exit code 2."""
    raise UsageError(message)


def print_error(message: str) -> None:
    from rich.text import Text

    err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)


def warn(message: str) -> None:
    from rich.text import Text

    err.print(Text.assemble(("warning:", "yellow"), " ", message), highlight=False)


# -- choices -------------------------------------------------------------------------------------
def choice(name: str, values: Sequence[str]) -> type[Enum]:
    """A Typer choice (a str Enum, a member per value) of a vocabulary the library defines."""
    return Enum(name, [(v, v) for v in values], type=str)


# Typer's choices, from the vocabularies the library (and the fast `check` parser) use.
CheckFormat = choice("CheckFormat", names.RESULTS)
GraphFormat = choice("GraphFormat", names.GRAPH)
NoticeFormat = choice("NoticeFormat", names.NOTICE)
BomFormat = choice("BomFormat", names.BOM)
TableFormat = choice("TableFormat", names.TABLE)
ListFormat = choice("ListFormat", names.LICENSE_LIST)
ShowFormat = choice("ShowFormat", names.TEXT_OR_JSON)
UseChoice = choice("UseChoice", run.USES)
DataTermsChoice = choice("DataTermsChoice", run.DATA_TERMS)


def value(choice: Enum | None) -> str | None:
    return choice.value if choice is not None else None


def emit(fmt: Enum, as_json: Callable[[], str], as_text: Callable[[], object]) -> None:
    """A command's answer on stdout: `as_json()` (JSON text) for `--format json`, else
    `as_text()`: text written as it is, or a Rich renderable (a table) printed by `out`."""
    if fmt.value == "json":
        print(as_json())
        return
    shown = as_text()
    if isinstance(shown, str):
        sys.stdout.write(shown)
    else:
        out.print(shown)


# -- options several commands take ---------------------------------------------------------------
def snapshots_option(help: str = "Snapshot files to resolve lineage from (repeatable).") -> list[Path]:
    return typer.Option([], "--snapshot", "-s", help=help)


def offline_option(help: str = "Never call the Hub API.") -> bool:
    return typer.Option(False, "--offline", help=help)


def use_option(help: str = "The intended use (default: the policy's uses, else commercial).", default=None):
    return typer.Option(default, "--use", "-u", help=help)


def policy_option(help: str) -> Path:
    return typer.Option(None, "--policy", "-p", help=help)


DATA_TERMS_HELP = "strict: training data terms bind like weights; lenient (default): a warning."


# -- steps ---------------------------------------------------------------------------------------
def write(text: str, out_file: Path | None) -> None:
    """`text` on stdout, or into `out_file` (then `wrote FILE` on stderr)."""
    if out_file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out_file}: cannot write ({exc.strerror or exc})")
    err.print(f"wrote {out_file}", highlight=False)


def project(argument: str, only_lines=None):
    """What a PATH|TARGET argument names (usecases.project), the scan's warnings on stderr."""
    from clearance.usecases.project import resolve

    found = resolve(argument, only_lines=only_lines)
    if found.scan is not None:
        for w in found.scan.warnings:
            warn(w)
    return found


def analysis(snapshots: list[Path]):
    """The snapshots loaded for `hub` analytics, under a progress line; their warnings on stderr."""
    from clearance.analytics.hub import HubAnalysis

    run.warn_snapshots(snapshots)
    with err.status("loading snapshots and propagating licenses…"):
        loaded = HubAnalysis(snapshots)
    for w in loaded.warnings:
        run.say("warning", w)
    return loaded
