"""The `clearance` console script, and its fast path for `clearance check`.

`clearance check` is what CI runs on every commit, so it starts here without Typer, pydantic
or Rich (~0.3 s of imports in a cold process; see bench/bench_check.py): a stdlib parser that
accepts exactly the options of the Typer command (a test compares the two), then the same
command body (`run.run_check`). Every other command, and any `check` command line this parser
does not fully understand (--help, an unknown option, a bad value), goes to the Typer app
(`root.main`), which prints the usual help or error and ends as any Python program ends.

Only this path skips the interpreter's teardown (`exit_now`): it is the one whose start-up
and exit are measured, and the one that runs nothing (no server, no thread) that needs it.
"""

from __future__ import annotations

import sys

from clearance.cli.run import DATA_TERMS, FORMATS, USES

# The Typer command's options (tests/cli/test_launcher.py compares them): name -> takes a value.
OPTIONS = {"--use": True, "--policy": True, "--snapshot": True, "--offline": False, "--data-terms": True,
           "--depth": True, "--format": True, "--locked": False, "--lock": True}
SHORT = {"-u": "--use", "-p": "--policy", "-s": "--snapshot", "-f": "--format"}
_CHOICES = {"--use": USES, "--format": FORMATS, "--data-terms": DATA_TERMS}


def parse_check(args: list[str]) -> dict | None:
    """The options of `clearance check ARGS`, or None when Typer should take the command line.
    Click's conventions: options and targets in any order, `--opt value`, `--opt=value`,
    `-u value`, `-uvalue`, `--` ends the options; no abbreviated long options. (argparse and
    getopt cost a cold process more to import than this loop takes.)"""
    opts: dict = {"targets": [], "snapshot": [], "offline": False, "use": None, "policy": None,
                  "data_terms": None, "depth": None, "format": "text", "locked": False, "lock": None}
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            opts["targets"] += list(rest)
            break
        if not arg.startswith("-") or arg == "-":
            opts["targets"].append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
        else:
            name, value = SHORT.get(arg[:2], "?"), arg[2:]
            eq = "=" if value else ""
        if name not in OPTIONS:
            return None
        if not OPTIONS[name]:
            if eq:
                return None  # --offline=yes
            opts[name[2:]] = True
            continue
        if not eq:
            value = next(rest, None)
            if value is None:
                return None
        if name in _CHOICES and value not in _CHOICES[name]:
            return None
        if name == "--snapshot":
            opts["snapshot"].append(value)
        elif name == "--depth":
            try:
                opts["depth"] = int(value)
            except ValueError:
                return None
        else:
            opts[name[2:].replace("-", "_")] = value
    if not opts["targets"] or any(t.startswith("-") for t in opts["targets"]):
        return None  # no target, or an option-like target after `--`: Typer decides what it means
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


def main() -> None:
    """The console script: a plain `check` here, everything else through Typer."""
    args = sys.argv[1:]
    code = None
    if args[:1] == ["check"]:
        try:
            code = fast_check(args[1:])
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            code = 130
    if code is None:
        from clearance.cli.root import main as full

        full()
        return
    exit_now(code)


def exit_now(code: int) -> None:
    """End the process without the interpreter's teardown: freeing every module object by
    object costs a short command ~0.1 s and does nothing a finished command needs. Output is
    flushed and atexit handlers (temporary directories, say) still run first. The fast
    `check` only: other commands end normally."""
    import atexit
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
            pass
    atexit._run_exitfuncs()
    os._exit(code)
