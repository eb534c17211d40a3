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
FORMATS = ("text", "json", "markdown", "sarif")
DATA_TERMS = ("strict", "lenient")
# The Typer command's options (tests/cli/test_launcher.py compares them): getopt's spelling.
SHORT = "u:p:s:f:"
LONG = ("use=", "policy=", "snapshot=", "offline", "data-terms=", "depth=", "format=")
_SHORT_TO_LONG = {"-u": "--use", "-p": "--policy", "-s": "--snapshot", "-f": "--format"}
_CHOICES = {"--use": USES, "--format": FORMATS, "--data-terms": DATA_TERMS}


def parse_check(args: list[str]) -> dict | None:
    """The options of `clearance check ARGS`, or None when Typer should take the command line.
    getopt (stdlib, and cheaper to import than argparse) in GNU mode: options and targets in
    any order, `--opt=value`, `-uvalue`. getopt would expand an abbreviated long option;
    Click does not, so neither does this."""
    import getopt

    for arg in args:
        if arg == "--":
            break
        if arg.startswith("--") and arg.split("=", 1)[0][2:] not in {n.rstrip("=") for n in LONG}:
            return None
    try:
        pairs, targets = getopt.gnu_getopt(args, SHORT, list(LONG))
    except getopt.GetoptError:
        return None
    if not targets or any(t.startswith("-") for t in targets):
        return None  # no target, or an option after `--`: Typer decides what it means
    opts: dict = {"targets": targets, "snapshot": [], "offline": False, "use": None, "policy": None,
                  "data_terms": None, "depth": None, "format": "text"}
    for name, value in pairs:
        name = _SHORT_TO_LONG.get(name, name)
        if name in _CHOICES and value not in _CHOICES[name]:
            return None
        if name == "--snapshot":
            opts["snapshot"].append(value)
        elif name == "--offline":
            opts["offline"] = True
        elif name == "--depth":
            try:
                opts["depth"] = int(value)
            except ValueError:
                return None
        else:
            opts[name[2:].replace("-", "_")] = value
    return opts


def fast_check(args: list[str]) -> int | None:
    """Run `clearance check ARGS` and return its exit code, or None when Typer should."""
    from pathlib import Path

    opts = parse_check(args)
    if opts is None:
        return None
    from clearance.checkcmd import CommandError, run_check

    try:
        return run_check(opts["targets"], opts["use"], Path(opts["policy"]) if opts["policy"] else None,
                         [Path(s) for s in opts["snapshot"]], opts["offline"], opts["data_terms"], opts["depth"],
                         opts["format"])
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
