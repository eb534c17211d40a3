"""The `clearance` console script, and its fast paths for `clearance check` and `hub audit`.

`clearance check` is what CI runs on every commit, so it starts here without Typer, pydantic
or Rich (~0.3 s of imports in a cold process; see bench/bench_check.py): a stdlib parser that
accepts exactly the options of the Typer command (a test compares the two), then the same
command body (`run.run_check`). `clearance hub audit` is the command timed at Hub scale
(bench/bench_hub.py): it starts the same way (`run.run_hub_audit`). Every other command, and any
command line these parsers do not fully understand (--help, an unknown option, a bad value),
goes to the Typer app (`root.main`), which prints the usual help or error and ends as any
Python program ends.

Only these paths skip the interpreter's teardown (`exit_now`): they are the ones whose start-up
and exit are measured, and they run nothing (no server, no thread) that needs it.
"""

from __future__ import annotations

import sys

from clearance.cli.run import DATA_TERMS, FORMATS, USES

# The Typer commands' options (tests/cli/test_launcher.py compares them): name -> takes a value.
OPTIONS = {"--use": True, "--policy": True, "--snapshot": True, "--offline": False, "--data-terms": True,
           "--depth": True, "--format": True, "--locked": False, "--lock": True}
SHORT = {"-u": "--use", "-p": "--policy", "-s": "--snapshot", "-f": "--format"}
_CHOICES = {"--use": USES, "--format": FORMATS, "--data-terms": DATA_TERMS}
AUDIT_OPTIONS = {"--out": True, "--engine": True, "--master": True}
ENGINES = ("duckdb", "spark")  # analytics.engines.ENGINES, not imported: that module loads DuckDB


def _parse(args: list[str], options: dict[str, bool], short: dict[str, str], choices: dict[str, tuple],
           opts: dict, repeated: tuple[str, ...] = (), ints: tuple[str, ...] = ()) -> dict | None:
    """`opts` (the defaults, with a list at "positional") filled from ARGS, or None when Typer
    should take the command line. Click's conventions: options and positional arguments in any
    order, `--opt value`, `--opt=value`, `-u value`, `-uvalue`, `--` ends the options; no
    abbreviated long options. (argparse and getopt cost a cold process more to import than
    this loop takes.)"""
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            opts["positional"] += list(rest)
            break
        if not arg.startswith("-") or arg == "-":
            opts["positional"].append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
        else:
            name, value = short.get(arg[:2], "?"), arg[2:]
            eq = "=" if value else ""
        if name not in options:
            return None
        if not options[name]:
            if eq:
                return None  # --offline=yes
            opts[name[2:]] = True
            continue
        if not eq:
            value = next(rest, None)
            if value is None:
                return None
        if name in choices and value not in choices[name]:
            return None
        key = name[2:].replace("-", "_")
        if name in repeated:
            opts[key].append(value)
        elif name in ints:
            try:
                opts[key] = int(value)
            except ValueError:
                return None
        else:
            opts[key] = value
    if not opts["positional"] or any(t.startswith("-") for t in opts["positional"]):
        return None  # none given, or an option-like one after `--`: Typer decides what it means
    return opts


def parse_check(args: list[str]) -> dict | None:
    """The options of `clearance check ARGS`, or None when Typer should take the command line."""
    opts = _parse(args, OPTIONS, SHORT, _CHOICES, {"positional": [], "snapshot": [], "offline": False, "use": None,
                                                   "policy": None, "data_terms": None, "depth": None, "format": "text",
                                                   "locked": False, "lock": None},
                  repeated=("--snapshot",), ints=("--depth",))
    if opts is not None:
        opts["targets"] = opts.pop("positional")
    return opts


def parse_hub_audit(args: list[str]) -> dict | None:
    """The options of `clearance hub audit ARGS` (its snapshots at "snapshots"), or None."""
    opts = _parse(args, AUDIT_OPTIONS, {}, {"--engine": ENGINES},
                  {"positional": [], "out": None, "engine": "duckdb", "master": None})
    if opts is None or opts["out"] is None:
        return None  # --out is required: Typer says so
    opts["snapshots"] = opts.pop("positional")
    return opts


def fast_check(args: list[str]) -> int | None:
    """Run `clearance check ARGS` and return its exit code, or None when Typer should."""
    from pathlib import Path

    opts = parse_check(args)
    if opts is None:
        return None
    from clearance.cli.run import run_check, say
    from clearance.util.errors import ClearanceError

    try:
        return run_check(opts["targets"], opts["use"], Path(opts["policy"]) if opts["policy"] else None,
                         [Path(s) for s in opts["snapshot"]], opts["offline"], opts["data_terms"], opts["depth"],
                         opts["format"], opts["locked"], Path(opts["lock"]) if opts["lock"] else None)
    except ClearanceError as exc:
        say("error", str(exc))
        return 2


def fast_hub_audit(args: list[str]) -> int | None:
    """Run `clearance hub audit ARGS` and return its exit code, or None when Typer should."""
    from pathlib import Path

    opts = parse_hub_audit(args)
    if opts is None:
        return None
    from clearance.cli.run import run_hub_audit, say
    from clearance.util.errors import ClearanceError

    try:
        run_hub_audit([Path(s) for s in opts["snapshots"]], Path(opts["out"]), opts["engine"], opts["master"],
                      status=_status)
    except ClearanceError as exc:
        say("error", str(exc))
        return 2
    return 0


def _status(message: str):
    """What the Typer command's spinner says, as one plain line, on a terminal only."""
    from contextlib import nullcontext

    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)
    return nullcontext()


FAST = {("check",): fast_check, ("hub", "audit"): fast_hub_audit}


def main() -> None:
    """The console script: a plain `check` or `hub audit` here, everything else through Typer."""
    args = sys.argv[1:]
    code = None
    for words, fast in FAST.items():
        if tuple(args[:len(words)]) == words:
            try:
                code = fast(args[len(words):])
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                code = 130
            break
    if code is None:
        from clearance.cli.root import main as full

        full()
        return
    exit_now(code)


def exit_now(code: int) -> None:
    """End the process without the interpreter's teardown: freeing every module object by
    object costs a short command ~0.1 s and does nothing a finished command needs. Output is
    flushed and atexit handlers (temporary directories, say) still run first. The fast paths
    only: other commands end normally."""
    import atexit
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
            pass
    atexit._run_exitfuncs()
    os._exit(code)
