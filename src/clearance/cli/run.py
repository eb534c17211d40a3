"""The bodies of `clearance check` and `clearance hub audit`, and what every command shares to
check and print, with no CLI framework: the fast path (`fast.py`) and the Typer commands both
call them, so the two ways in always print the same thing and exit the same way. Problems are
`ClearanceError`s; the one handler of each front end (`fast.main`, `root.main`) prints them in
one line, exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

# the command's vocabulary, each defined once where it means something
from clearance.engine.values import DATA_TERMS, USES  # noqa: F401
from clearance.formats.names import RESULTS as FORMATS  # noqa: F401
from clearance.util.errors import ClearanceError


class UsageError(ClearanceError):
    """A problem with what the user typed: one line on stderr, exit code 2."""


# Files that make a folder a model even when nothing in them names a license: weights.
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".ggml", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".msgpack",
                   ".tflite", ".pb", ".mlmodel", ".npz", ".keras")


def say(label: str, message: str) -> None:
    """One line on stderr: `error: ...` or `warning: ...`, coloured for a terminal."""
    from clearance.formats.results import wants_color

    colour = "31" if label == "error" else "33"
    head = f"\x1b[1;{colour}m{label}:\x1b[0m" if wants_color(sys.stderr) else f"{label}:"
    print(f"{head} {message}", file=sys.stderr)


def check_paths(targets: Sequence[str]) -> None:
    """A target written as a path (./x, /x, ~/x) that does not exist is a usage error."""
    import os

    from clearance.artifacts.ids import looks_like_path

    for t in targets:
        text = t.strip()
        if looks_like_path(text) and not os.path.exists(os.path.expanduser(text)):
            raise UsageError(f"{t}: no such file or folder")


def snapshot_warnings(snapshots: Sequence[Path]) -> list[str]:
    """An empty snapshot file answers nothing: say so rather than let every id go unfound."""
    out = []
    for snap in snapshots:
        try:
            size = Path(snap).stat().st_size
            empty = size == 0 or (size < 4096 and not Path(snap).read_bytes().strip())
        except OSError:
            continue  # a missing file is the source's error to report
        if empty:
            out.append(f"{snap}: empty snapshot file: it describes no model or dataset")
    return out


def run_hub_audit(snapshots: Sequence[Path], out_file: Path, engine: str = "duckdb", master: str | None = None,
                  status=None) -> None:
    """Audit the snapshots and write one row per model to `out_file` (Parquet); warnings and
    the count written go to stderr. `status(message)`: a context manager that shows the
    message while the snapshots load (the Typer command's spinner). Raises ClearanceError."""
    from contextlib import nullcontext

    from clearance.analytics.hub import HubAnalysis

    if master is not None and engine != "spark":
        raise UsageError("--master is Spark's: give --engine spark with it")
    # Before minutes of work, not after: where the file is to go must exist.
    if not Path(out_file).parent.is_dir():
        raise UsageError(f"--out {out_file}: no such directory: {Path(out_file).parent}")
    warn_snapshots(snapshots)
    with (status or nullcontext)(f"loading snapshots and propagating licenses ({engine})…"):
        loaded = HubAnalysis(snapshots, engine=engine, master=master)
    for w in loaded.warnings:
        say("warning", w)
    n = loaded.write_audit(out_file)
    print(f"wrote {n:,} rows to {out_file}", file=sys.stderr)


def warn_snapshots(snapshots: Sequence[Path]) -> None:
    for w in snapshot_warnings(snapshots):
        say("warning", w)


def unresolved(run) -> dict[str, str]:
    """The checked targets whose answer means nothing, each with the line that says why: an id
    no source has, a folder with no model in it."""
    import re

    out: dict[str, str] = {}
    for subject, graph in run.graphs.items():
        art = graph.artifact(subject)
        if art is None or not art.resolved:
            tried = ""
            for p in graph.problems:
                found = re.search(r"\(tried (.*)\)$", p.message) if p.artifact == subject else None
                if found:
                    tried = f" (tried {found.group(1)})"
                    break
            out[subject] = f"{subject}: not found on any source{tried}"
        elif art.source == "local" and _no_model_here(subject, art, graph):
            out[subject] = (f"{subject}: no model here (no model card, config, weights or license file); "
                            "name a model folder, a model file or a Hub id")
    return out


def _no_model_here(subject: str, art, graph) -> bool:
    if art.licenses or graph.parents(subject) or any(name != "id" for name, _ in art.evidence):
        return False
    path = Path(subject)
    if not path.is_dir():
        return False
    for i, p in enumerate(path.rglob("*")):
        if i > 10_000 or p.suffix.lower() in WEIGHT_SUFFIXES:
            return False
    return True


def not_found(subject: str, graph) -> str:
    """The line that says why `subject`, the root of `graph`, has no answer."""
    from clearance.usecases.check import CheckRun

    return unresolved(CheckRun([], [], {subject: graph})).get(subject, f"{subject}: not found on any source")


def fail_unresolved(run, explicit: Sequence[str], what: str) -> None:
    """Targets of `run` no source has (or folders with no model): an error for those the user
    named (exit 2: UsageError), a warning for those a scan found (the answer stays useful
    without them)."""
    named = {t.lower() for t in explicit} | {str(Path(t).expanduser().resolve()) for t in explicit}
    errors = []
    for subject, message in unresolved(run).items():
        if subject.lower() in named or subject in named:
            errors.append(message)
        else:
            say("warning", f"{message}; {what}")
    raise_last(errors)


def raise_last(errors: Sequence[str]) -> None:
    """Every message but the last as an `error:` line, the last as the UsageError (exit 2)."""
    for message in errors[:-1]:
        say("error", message)
    if errors:
        raise UsageError(errors[-1])


def drop(run, subjects) -> None:
    """Leave out of `run` the outcomes of `subjects` (reported on stderr instead)."""
    run.outcomes[:] = [o for o in run.outcomes if o.result.subject not in subjects]


def render(run, fmt: str, locations: dict | None = None, extra: dict | None = None) -> None:
    """The results on stdout; the warnings on stderr (JSON and Markdown keep them in the
    document too), so that they never trail the results of a pipe."""
    from clearance.formats import results

    for w in run.warnings:
        say("warning", w)
    if fmt == "json":
        print(results.to_json(run.outcomes, run.warnings, extra))
    elif fmt == "markdown":
        sys.stdout.write(results.to_markdown(run.outcomes, run.warnings))
    elif fmt == "sarif":
        print(results.to_sarif(run.outcomes, locations))
    else:
        sys.stdout.write(results.to_text(run.outcomes, (), results.wants_color(sys.stdout)))


def load_lock(locked: bool, lock_file: Path | None, near: str):
    """The lock `--locked` compares against: `--lock FILE`, else clearance.lock beside `near`
    (a project folder, or a model folder's parent); None when the command is not locked."""
    if not locked and lock_file is None:
        return None
    from clearance.lock.fileformat import read
    from clearance.usecases.lock import locate

    path = locate(near, lock_file)
    if path is None:
        raise UsageError(f"--locked: no clearance.lock at {near}: run `clearance lock {near}` first, or pass --lock FILE")
    return read(path)


def run_targets(targets: Sequence[str], uses: Sequence[str], policy, snapshots: Sequence[Path],
                offline: bool, data_terms: str | None = None, depth: int | None = None, lock=None):
    """`check()` for a command, after the checks of its arguments and the snapshots' warnings."""
    from clearance.usecases.check import check

    check_paths(targets)
    warn_snapshots(snapshots)
    return check(list(targets), list(uses), policy, list(snapshots), offline or None, data_terms, depth=depth,
                 lock=lock)


def run_check(targets: Sequence[str], use: str | None, policy_file: Path | None, snapshots: Sequence[Path],
              offline: bool, data_terms: str | None, depth: int | None, fmt: str, locked: bool = False,
              lock_file: Path | None = None) -> int:
    """Check, print, and return the exit code: 0 when every target passes the policy, 1 when
    any fails; 2 when a target cannot be resolved (an id no source has, a folder with no model):
    one line each on stderr, the others' results still printed. Raises ClearanceError for the
    other problems that exit 2."""
    from clearance.policy.load import policy_for
    from clearance.policy.model import Policy

    policy = policy_for(policy_file) or Policy()
    lock = load_lock(locked, lock_file, targets[0]) if targets else None
    run = run_targets(targets, [use] if use else policy.uses, policy, snapshots, offline, data_terms, depth, lock)
    bad = unresolved(run)
    drop(run, bad)
    if run.outcomes:
        render(run, fmt)
    else:
        for w in run.warnings:
            say("warning", w)
    for message in bad.values():
        say("error", message)
    return 2 if bad else 0 if run.passed else 1
