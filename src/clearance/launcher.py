"""The `clearance` console script. `clearance check` is what CI runs on every commit, so it
starts here without Typer, pydantic or Rich (~0.3 s of imports in a cold process; see
bench/bench_check.py): a stdlib parser that accepts exactly the options of the Typer command
(a test compares the two), then the same command body (`checkcmd.py`). Every other command,
and any `check` command line this parser does not fully understand (--help, an unknown
option, a bad value), goes to the Typer app in `cli.py`, which prints the usual help or error.
"""

from __future__ import annotations

import sys

USES = ("commercial", "redistribution", "research")


class _NotUnderstood(Exception):
    pass


def check_parser():
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):  # leave errors to Typer, which words them as for every command
            raise _NotUnderstood(message)

    p = Parser(prog="clearance check", add_help=False, allow_abbrev=False)
    p.add_argument("targets", nargs="+")
    p.add_argument("--use", "-u", choices=USES)
    p.add_argument("--policy", "-p")
    p.add_argument("--snapshot", "-s", action="append", default=[])
    p.add_argument("--offline", action="store_true")
    p.add_argument("--data-terms", choices=("strict", "lenient"))
    p.add_argument("--depth", type=int)
    p.add_argument("--format", "-f", choices=("text", "json", "markdown", "sarif"), default="text")
    return p


def fast_check(args: list[str]) -> int | None:
    """Run `clearance check ARGS` and return its exit code, or None when Typer should."""
    from pathlib import Path

    try:
        ns = check_parser().parse_intermixed_args(args)
    except _NotUnderstood:
        return None
    if any(t.startswith("-") for t in ns.targets):
        return None  # an option after `--` or a typo: Typer decides what it means
    from clearance.checkcmd import CommandError, run_check

    try:
        return run_check(ns.targets, ns.use, Path(ns.policy) if ns.policy else None, [Path(s) for s in ns.snapshot],
                         ns.offline, ns.data_terms, ns.depth, ns.format)
    except CommandError as exc:
        error(str(exc))
        return 2


def error(message: str) -> None:
    from clearance.formats.results import wants_color

    label = "\x1b[1;31merror:\x1b[0m" if wants_color(sys.stderr) else "error:"
    print(f"{label} {message}", file=sys.stderr)


def main() -> None:
    args = sys.argv[1:]
    if args[:1] != ["check"]:
        from clearance.cli import main as full

        full()
        return
    try:
        code = fast_check(args[1:])
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    if code is None:
        from clearance.cli import main as full

        full()
        return
    exit_now(code)


def exit_now(code: int) -> None:
    """End the process without the interpreter's teardown: freeing every module object by
    object costs a short command ~0.1 s and does nothing a finished command needs. Output is
    flushed and atexit handlers (temporary directories, say) still run first."""
    import atexit
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
            pass
    atexit._run_exitfuncs()
    os._exit(code)
