"""The command line: parse, call the library, render. No logic lives here.

Exit codes: 0 success, 1 a check failed, 2 a usage or input error (with a message, never a
traceback).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console

from clearance import __version__, checkcmd

app = typer.Typer(
    name="clearance",
    help="What may you do with an open AI model, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
license_app = typer.Typer(help="The license knowledge base: list, show and identify licenses.", no_args_is_help=True)
app.add_typer(license_app, name="license")
hub_app = typer.Typer(help="Hub-wide analytics over snapshots (JSON Lines or Parquet).", no_args_is_help=True)
app.add_typer(hub_app, name="hub")

# soft_wrap: long lines (paths, URLs, messages) are left to the terminal to wrap, never broken
# mid-word by Rich, and piped output keeps one record per line.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
# Rich lays tables out at 80 columns when stdout is no terminal; a pipe or a file has no
# width, so tables get as wide as their rows (COLUMNS still sets a width when given).
PIPE_WIDTH = 100_000


def _fit_output() -> None:
    import os

    if not out.is_terminal and not os.environ.get("COLUMNS"):
        out.width = PIPE_WIDTH

MAX_STDIN_BYTES = 8 * 1024 * 1024


class InputError(Exception):
    """A problem with what the user gave us: reported in one line, exit code 2."""


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


class ListFormat(str, Enum):
    table = "table"
    json = "json"


class ShowFormat(str, Enum):
    text = "text"
    json = "json"


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    _fit_output()
    if version:
        out.print(f"clearance {__version__}")
        raise typer.Exit(0)


@license_app.command("list")
def license_list(
    category: str = typer.Option(None, "--category", "-c", help="Only licenses of this category."),
    fmt: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
) -> None:
    """List the curated licenses of the knowledge base."""
    from clearance.formats import licenses as render
    from clearance.kb import CATEGORIES, default_kb

    if category and category not in CATEGORIES:
        fail(f"--category {category!r} is not one of: {', '.join(CATEGORIES)}")
    lics = sorted((lic for lic in default_kb() if not category or lic.category == category), key=lambda lic: lic.id)
    if fmt is ListFormat.json:
        print(render.list_json(lics))
    else:
        out.print(render.list_table(lics))


@license_app.command("show")
def license_show(
    alias: str = typer.Argument(..., help="A KB id or any alias: SPDX id, ScanCode key, Hub id, license_name."),
    fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f"),
) -> None:
    """Show one license's terms, each with the section and source that state it."""
    from clearance.formats import licenses as render
    from clearance.kb.normalizer import default_normalizer

    lic, res = default_normalizer().license(alias, "command line")
    if lic is None:
        fail(f"no license in the knowledge base answers to {alias!r} ({res.evidence}); "
             "see `clearance license list` or try `clearance license identify`")
    if fmt is ShowFormat.json:
        print(render.show_json(lic))
    else:
        out.print(render.show_text(lic))


@license_app.command("identify")
def license_identify(
    values: list[str] = typer.Argument(..., help="License ids, names or URLs; a path to a LICENSE file; or - to read one value per line from stdin."),
    fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f"),
) -> None:
    """Map raw license values or texts to knowledge-base ids, with confidence and evidence."""
    from clearance.formats import licenses as render
    from clearance.kb.normalizer import default_normalizer
    from clearance.kb.textdetect import TextError, detect_file

    normalizer = default_normalizer()
    results = []
    try:
        for value in _expand_stdin(values):
            path = Path(value) if len(value) < 4096 and "\n" not in value else None
            if path is not None and _is_file(path):
                results.append(detect_file(path))
                continue
            found = normalizer.resolve(value, "card_license", "command line")
            if found.id is None and path is not None and _names_a_file(value):
                raise InputError(f"{value}: no such file")
            results.append(found)
    except (InputError, TextError) as exc:
        fail(str(exc))
    for r in results:
        if r.id is None and r.evidence.startswith("no KB license") and " " not in r.input.strip():
            err.print(f"[yellow]warning:[/] {r.input}: no such file, and no license answers to this value", highlight=False)
    if fmt is ShowFormat.json:
        print(render.identify_json(results))
    else:
        out.print(render.identify_table(results))


# Typer's choices, from the one vocabulary the fast `check` parser uses too.
CheckFormat = Enum("CheckFormat", [(f, f) for f in checkcmd.FORMATS], type=str)
UseChoice = Enum("UseChoice", [(u, u) for u in checkcmd.USES], type=str)
DataTermsChoice = Enum("DataTermsChoice", [(d, d) for d in checkcmd.DATA_TERMS], type=str)


def _policy(path: Path | None, start: Path | None = None):
    try:
        return checkcmd.load_policy(path, start)
    except checkcmd.CommandError as exc:
        fail(str(exc))


def _run(targets: list[str], uses: list[str], policy=None, snapshots: list[Path] = (), offline: bool = False,
         data_terms: str | None = None, lock=None):
    """`check()` as the commands need it: a source problem is a one-line error, exit 2."""
    try:
        return checkcmd.run_targets(targets, uses, policy, snapshots, offline, data_terms, lock=lock)
    except checkcmd.CommandError as exc:
        fail(str(exc))


def _render_run(run, fmt: "CheckFormat", locations: dict | None = None, extra: dict | None = None) -> None:
    checkcmd.render(run, fmt.value, locations, extra)


@app.command("check")
def check_cmd(
    targets: list[str] = typer.Argument(..., help="Hub ids (org/name), Hub URLs, or local model folders / GGUF files."),
    use: UseChoice = typer.Option(None, "--use", "-u", help="The intended use (default: the policy's uses, else commercial)."),
    policy_file: Path = typer.Option(None, "--policy", "-p", help="clearance.toml or pyproject.toml (default: found from here up)."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
    data_terms: DataTermsChoice = typer.Option(None, "--data-terms", help="strict: training data terms bind like weights; lenient (default): a warning."),
    depth: int = typer.Option(None, "--depth", help="Follow the lineage at most this many levels."),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f"),
    locked: bool = typer.Option(False, "--locked", help="Compare with clearance.lock: any change since it was written fails."),
    lock_file: Path = typer.Option(None, "--lock", help="The lock to compare with (default: clearance.lock beside the target)."),
) -> None:
    """May you use these models as you intend? Exit 0 when all pass the policy, 1 when any fails."""
    try:
        code = checkcmd.run_check(targets, use.value if use else None, policy_file, snapshots, offline,
                                  data_terms.value if data_terms else None, depth, fmt.value, locked, lock_file)
    except checkcmd.CommandError as exc:
        fail(str(exc))
    raise typer.Exit(code)


class GraphFormat(str, Enum):
    tree = "tree"
    json = "json"
    dot = "dot"
    mermaid = "mermaid"


@app.command("graph")
def graph_cmd(
    target: str = typer.Argument(..., help="A Hub id or URL (org/name[@revision]), datasets/<id>, or a local model folder or GGUF file."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
    depth: int = typer.Option(None, "--depth", help="Follow the lineage at most this many levels."),
    descendants: bool = typer.Option(False, "--descendants", help="Show what descends from TARGET within the snapshots instead."),
    fmt: GraphFormat = typer.Option(GraphFormat.tree, "--format", "-f"),
) -> None:
    """The lineage of a model: its ancestors (or descendants) with relations and licenses."""
    from clearance.usecases.lineage import graph_for, render
    from clearance.sources.interface import SourceError

    try:
        graph = graph_for(target, snapshots=snapshots, offline=offline or None, depth=depth, descendants=descendants)
    except SourceError as exc:
        fail(str(exc))
    for w in checkcmd.snapshot_warnings(snapshots):
        checkcmd.say("warning", w)
    root = graph.artifact(graph.root) if graph.root else None
    if root is None or not root.resolved:
        fail(_not_found(graph.root or target, graph))
    sys.stdout.write(render(graph, fmt.value).rstrip("\n") + "\n")


def _not_found(subject: str, graph) -> str:
    from clearance.usecases.check import CheckRun

    return checkcmd.unresolved(CheckRun([], [], {subject: graph})).get(subject, f"{subject}: not found on any source")


def _unresolved(run, explicit, what: str) -> None:
    """Targets of `run` no source has (or folders with no model): an error for those the user
    named (exit 2), a warning for those a scan found (the answer stays useful without them)."""
    named = {t.lower() for t in explicit} | {str(Path(t).expanduser().resolve()) for t in explicit}
    errors = []
    for subject, message in checkcmd.unresolved(run).items():
        if subject.lower() in named or subject in named:
            errors.append(message)
        else:
            checkcmd.say("warning", f"{message}; {what}")
    for message in errors[:-1]:
        checkcmd.say("error", message)
    if errors:
        fail(errors[-1])


def _project(argument: str, only_lines=None):
    from clearance.usecases.project import resolve
    from clearance.scan import ScanError

    try:
        found = resolve(argument, only_lines=only_lines)
    except ScanError as exc:
        fail(str(exc))
    if found.scan is not None:
        for w in found.scan.warnings:
            err.print(f"[yellow]warning:[/] {w}", highlight=False)
    return found


@app.command("scan")
def scan_cmd(
    path: Path = typer.Argument(..., help="A project folder (or one file) to find model and dataset references in."),
    diff: str = typer.Option(None, "--diff", help="Only references on lines added since this git revision (for pull requests)."),
    use: UseChoice = typer.Option(None, "--use", "-u", help="The intended use (default: the policy's uses, else commercial)."),
    policy_file: Path = typer.Option(None, "--policy", "-p", help="clearance.toml or pyproject.toml (default: found from PATH up)."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
    data_terms: DataTermsChoice = typer.Option(None, "--data-terms", help="strict: training data terms bind like weights; lenient (default): a warning."),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f"),
    locked: bool = typer.Option(False, "--locked", help="Compare with PATH/clearance.lock: any change since it was written fails."),
    lock_file: Path = typer.Option(None, "--lock", help="The lock to compare with (default: PATH/clearance.lock)."),
) -> None:
    """Find the models and datasets a codebase uses, then check them. Exit codes as `check`."""
    from clearance.usecases.check import CheckRun
    from clearance.policy.model import Policy
    from clearance.usecases.project import from_scan
    from clearance.scan import ScanError, added_lines, scan_path

    if not path.exists():
        fail(f"{path}: no such file or folder")
    try:
        only = added_lines(path, diff) if diff else None
        report = scan_path(path, only_lines=only)
    except ScanError as exc:
        fail(str(exc))
    locations = from_scan(report).locations
    policy = _policy(policy_file, path if path.is_dir() else path.parent) or Policy()
    uses = [use.value] if use else list(policy.uses)
    try:
        lock = checkcmd.load_lock(locked, lock_file, str(path))
    except checkcmd.CommandError as exc:
        fail(str(exc))
    run = _run(list(locations), uses, policy, snapshots, offline,
               data_terms.value if data_terms else None, lock) if locations else CheckRun([], [])
    run.warnings[:0] = report.warnings
    refs = [{"id": r.id, "kind": r.kind, "file": r.file, "line": r.line, "via": r.via} for r in report.references]
    if fmt is CheckFormat.text:
        out.print(f"{len(report.references)} reference(s) to {len(locations)} model(s)/dataset(s) "
                  f"in {report.files_scanned} file(s) under {path}" + (f", on lines added since {diff}" if diff else ""),
                  highlight=False)
        for r in report.references:
            out.print(f"  {r.file}:{r.line}  {r.kind} {r.id}  [dim]({r.via})[/]", highlight=False)
        out.print("")
    _render_run(run, fmt, locations, {"references": refs})
    raise typer.Exit(0 if run.passed else 1)


class BomFormat(str, Enum):
    cyclonedx = "cyclonedx"
    spdx = "spdx"


@app.command("bom")
def bom_cmd(
    argument: str = typer.Argument(..., metavar="PATH|TARGET", help="A project folder to scan, or a model (Hub id, URL, model folder)."),
    fmt: BomFormat = typer.Option(BomFormat.cyclonedx, "--format", "-f", help="cyclonedx (1.6 JSON) or spdx (3.0 JSON-LD)."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    name: str = typer.Option(None, "--name", help="The BOM's subject name (default: the folder or target name)."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
) -> None:
    """An AI bill of materials: every model and dataset, their lineage, licenses and verdicts."""
    from clearance import bom

    found = _project(argument)
    run = _run(found.targets, list(checkcmd.USES), None, snapshots, offline)
    _unresolved(run, found.targets if found.scan is None else [], "the BOM lists it with no license")
    label = name or Path(argument.rstrip("/")).name or "clearance-bom"
    text = bom.to_cyclonedx(run, name=label) if fmt is BomFormat.cyclonedx else bom.to_spdx3(run, name=label)
    _write(text, out_file)


class LockFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("lock")
def lock_cmd(
    arguments: list[str] = typer.Argument(..., metavar="PATH|TARGET...", help="A project folder to scan, or models (Hub ids, URLs, model folders)."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Where to write the lock (default: PATH/clearance.lock for one project folder)."),
    update: bool = typer.Option(False, "--update", help="Rewrite an existing lock and print what changed."),
    use: UseChoice = typer.Option(None, "--use", "-u", help="The use whose verdict is recorded (default: the policy's uses, else commercial)."),
    policy_file: Path = typer.Option(None, "--policy", "-p", help="clearance.toml or pyproject.toml (default: found from the first argument up)."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
    fmt: LockFormat = typer.Option(LockFormat.text, "--format", "-f"),
) -> None:
    """Pin what the project cleared: every model and dataset it uses and every ancestor, with
    revision, licenses, license-file hashes, parents and verdicts, in clearance.lock."""
    import json

    from clearance.lock.diff import changes
    from clearance.lock.fileformat import LockError, read, write
    from clearance.policy.model import Policy
    from clearance.sources.interface import SourceError
    from clearance.usecases.lock import lock_file_for, make_lock
    from clearance.util.errors import ClearanceError

    try:
        target = lock_file_for(arguments, out_file)
        old = read(target) if target.is_file() else None
    except (ClearanceError, LockError) as exc:
        fail(str(exc))
    if old is not None and not update:
        fail(f"{target} exists: `clearance lock --update` rewrites it and says what changed")
    first = Path(arguments[0])
    policy = _policy(policy_file, first if first.is_dir() else Path.cwd()) or Policy()
    uses = (use.value,) if use else tuple(policy.uses)
    for w in checkcmd.snapshot_warnings(snapshots):
        checkcmd.say("warning", w)
    try:
        lock, run = make_lock(arguments, uses, policy=policy, snapshots=snapshots, offline=offline or None)
    except (SourceError, ClearanceError) as exc:
        fail(str(exc))
    for w in run.warnings:
        checkcmd.say("warning", w)
    found = changes(old, lock) if old is not None else []
    write(lock, target)
    referenced = sum(e.referenced for e in lock.entries.values())
    if fmt is LockFormat.json:
        out.print_json(json.dumps({"schema_version": 1, "lock": str(target), "artifacts": len(lock.entries),
                                   "references": referenced, "changes": [c.to_json() for c in found]}))
        return
    out.print(f"{'updated' if old is not None else 'wrote'} {target}: {len(lock.entries)} artifacts "
              f"({referenced} referenced, the rest their ancestors)", highlight=False)
    if old is not None:
        out.print(f"{len(found)} change(s) since the previous lock" + (":" if found else ""), highlight=False)
        for c in found:
            out.print(f"  {c.message}", highlight=False, markup=False)


@app.command("init")
def init_cmd(
    path: Path = typer.Argument(Path("."), help="The project folder to scan (default: here)."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Where to write the policy (default: PATH/clearance.toml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing policy file."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
) -> None:
    """Write a starter clearance.toml from the models and datasets the project uses today."""
    import tomllib

    from clearance.kb import default_kb
    from clearance.usecases.starter import starter_policy

    target = out_file or (path / "clearance.toml" if path.is_dir() else Path("clearance.toml"))
    if target.exists() and not force:
        fail(f"{target} exists: edit it, or pass --force to replace it")
    found = _project(str(path))
    if not found.targets:
        checkcmd.say("warning", f"no model or dataset references found under {path}: the policy written is a generic starter")
    run = _run(found.targets, ["commercial"], None, snapshots, offline)
    missing = checkcmd.unresolved(run)
    if found.targets and len(missing) == len(run.graphs):
        fail(f"none of the {len(found.targets)} model(s)/dataset(s) {path} uses could be found "
             f"({next(iter(missing.values()))}): a policy written from nothing means nothing; give --snapshot, or run online")
    for message in missing.values():
        checkcmd.say("warning", f"{message}; listed as failing")
    text = starter_policy(run, default_kb(), str(path), found.targets)
    tomllib.loads(text)  # what we write must parse: a bug here must not leave a broken file
    _write(text, target)
    out.print(f"{len(found.targets)} model(s)/dataset(s) found; review {target}, then run `clearance scan {path}`", highlight=False)


class NoticeFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


def _write(text: str, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out_file}: cannot write ({exc.strerror or exc})")
    err.print(f"wrote {out_file}", highlight=False)


@app.command("notice")
def notice_cmd(
    targets: list[str] = typer.Argument(..., metavar="PATH|TARGET...", help="Project folders to scan, or models you ship (Hub ids, URLs, model folders)."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
    fmt: NoticeFormat = typer.Option(NoticeFormat.text, "--format", "-f"),
    out_file: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
) -> None:
    """The notices, license copies, attribution and restrictions every upstream license requires."""
    from clearance.usecases import notice
    from clearance.kb import default_kb

    found = [_project(argument) for argument in targets]
    expanded = [t for f in found for t in f.targets]
    run = _run(list(dict.fromkeys(expanded)), ["redistribution"], None, snapshots, offline)
    _unresolved(run, [t for f in found if f.scan is None for t in f.targets], "the notice lacks its terms")
    built = notice.build_notice(run, default_kb())
    render = {NoticeFormat.text: notice.to_text, NoticeFormat.markdown: notice.to_markdown, NoticeFormat.json: notice.to_json}[fmt]
    _write(render(built), out_file)


@app.command("advise")
def advise_cmd(
    target: str = typer.Argument(..., help="The derivative you publish: a local model folder (its README.md gets a patch) or its future Hub id."),
    bases: list[str] = typer.Option([], "--base", "-b", help="A base model (repeatable; default: the target's own base_model)."),
    datasets: list[str] = typer.Option([], "--dataset", "-d", help="A training dataset (repeatable)."),
    use: UseChoice = typer.Option(UseChoice.commercial, "--use", "-u", help="The use the derivative is meant for."),
    relation: str = typer.Option(None, "--relation", help="finetune, adapter, quantized or merge (default: merge for several bases, else finetune)."),
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage and find alternatives in (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub API."),
    fmt: NoticeFormat = typer.Option(NoticeFormat.text, "--format", "-f", help="text or json (markdown prints text)."),
) -> None:
    """What may a derivative be licensed as, and what must its card declare?"""
    from clearance.usecases.advise import advise, to_text
    from clearance.sources.interface import SourceError

    if not bases:
        bases = _declared_bases(target)
        if not bases:
            fail(f"{target}: no base model given (--base) and none declared in its card")
    _must_resolve([*bases, *(f"datasets/{d}" for d in datasets)], snapshots, offline)
    try:
        advice = advise(target, bases, datasets, use=use.value, relation=relation, snapshots=snapshots, offline=offline or None)
    except (SourceError, ValueError) as exc:
        fail(str(exc))
    if fmt is NoticeFormat.json:
        import json

        print(json.dumps(advice.to_json(), indent=2))
    else:
        sys.stdout.write(to_text(advice))


def _must_resolve(targets: list[str], snapshots: list[Path], offline: bool) -> None:
    """Each base and dataset advice is asked about must be found: advice that silently leaves
    one out answers a question nobody asked. (Only their own records: the lineage is advise's.)"""
    from clearance.sources.interface import SourceError
    from clearance.usecases.lineage import default_sources, graph_for

    for w in checkcmd.snapshot_warnings(snapshots):
        checkcmd.say("warning", w)
    try:
        checkcmd.check_paths(targets)
        sources = default_sources(snapshots, offline or None)
        graphs = [graph_for(t, depth=0, sources=sources) for t in targets]
    except (SourceError, checkcmd.CommandError) as exc:
        fail(str(exc))
    errors = [_not_found(g.root, g) for g in graphs if g.root and not (g.artifact(g.root) and g.artifact(g.root).resolved)]
    for message in errors[:-1]:
        checkcmd.say("error", message)
    if errors:
        fail(errors[-1])


def _declared_bases(target: str) -> list[str]:
    from clearance.sources.frontmatter import read_card_file

    readme = Path(target) / "README.md"
    if not readme.is_file():
        return []
    base = read_card_file(readme).data.get("base_model")
    values = base if isinstance(base, list) else [base]
    return [str(v) for v in values if isinstance(v, str) and v.strip()]


@app.command("explain")
def explain(code_or_name: str = typer.Argument(None, help="A finding code (CLR103) or name (license-conflict); omit to list them all.")) -> None:
    """Explain a finding: what it means, why it matters, how to fix it, with an example."""
    from rich.markdown import Markdown

    from clearance.engine.catalogue import rule, rules

    if code_or_name is None:
        from rich.table import Table

        table = Table(show_header=True, box=None)
        for col in ("code", "name", "severity", "what it means"):
            table.add_column(col, overflow="fold")
        for r in sorted(rules().values(), key=lambda r: r.code):
            table.add_row(r.code, r.name, r.severity, r.summary)
        out.print(table)
        return
    found = rule(code_or_name)
    if found is None:
        fail(f"no finding is called {code_or_name!r}; `clearance explain` lists them all")
    if not out.is_terminal:  # a pipe or a file gets the page's Markdown itself: nothing wrapped or clipped
        sys.stdout.write(found.page().rstrip("\n") + "\n")
        return
    out.print(Markdown(found.page()))


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


SnapshotsArg = typer.Argument(..., help="Snapshot files: JSON Lines or Parquet in the Hub API's shape.")


def _analysis(snapshots: list[Path]):
    from clearance.analytics.hub import HubAnalysis
    from clearance.analytics.tables import SnapshotError

    for w in checkcmd.snapshot_warnings(snapshots):
        checkcmd.say("warning", w)
    try:
        with err.status("loading snapshots and propagating licenses…"):
            analysis = HubAnalysis(snapshots)
    except SnapshotError as exc:
        fail(str(exc))
    for w in analysis.warnings:
        checkcmd.say("warning", w)
    return analysis


def _emit_rows(rows: list[dict], fmt: TableFormat, title: str, schema_version: int = 1) -> None:
    from clearance.formats import tables as render

    if fmt is TableFormat.json:
        print(render.rows_json(rows, schema_version))
    elif fmt is TableFormat.csv:
        sys.stdout.write(render.rows_csv(rows))
    else:
        out.print(render.rows_table(rows, title))


@hub_app.command("stats")
def hub_stats(snapshots: list[Path] = SnapshotsArg, fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f"),
              top: int = typer.Option(20, help="How many licenses and conflict pairs to list.")) -> None:
    """Models, declared and undeclared licenses, categories, conflicts, commercial verdicts."""
    import json

    from clearance.formats import tables as render

    stats = _analysis(snapshots).stats(top=top)
    if fmt is TableFormat.json:
        print(json.dumps({"schema_version": 1, **stats}, indent=2, default=str))
    elif fmt is TableFormat.csv:
        sys.stdout.write(render.rows_csv(render.flatten_stats(stats)))
    else:
        out.print(render.stats_tables(stats))


@hub_app.command("trends")
def hub_trends(snapshots: list[Path] = SnapshotsArg, by: str = typer.Option("quarter", help="month, quarter or year"),
               fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f")) -> None:
    """Share of each license category among models created per period, also weighted by downloads."""
    from clearance.analytics.hub import PERIODS

    if by not in PERIODS:
        fail(f"--by {by!r} is not one of: {', '.join(PERIODS)}")
    # schema 2: periods labelled 2024Q1 (quarters) and 2024 (years); period_start, period_models added
    _emit_rows(_analysis(snapshots).trends(by), fmt, f"License categories by {by} of creation", schema_version=2)


@hub_app.command("families")
def hub_families(snapshots: list[Path] = SnapshotsArg, top: int = typer.Option(50),
                 fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f")) -> None:
    """Per lineage root: derivatives by relation, downloads, and the root's license category."""
    _emit_rows(_analysis(snapshots).families(top), fmt, "Families by ecosystem size")


class LeaderboardFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


@hub_app.command("leaderboard")
def hub_leaderboard(csv_file: Path = typer.Argument(..., help="An Open LLM Leaderboard CSV export."),
                    snapshots: list[Path] = typer.Option([], "--snapshot", help="Snapshots that describe base models too."),
                    fmt: LeaderboardFormat = typer.Option(LeaderboardFormat.text, "--format", "-f",
                                                          help="text (summary), json (summary and every model) or csv (every model).")) -> None:
    """Commercial usability of leaderboard models after following their lineage."""
    import json

    from clearance.analytics.leaderboard import leaderboard
    from clearance.analytics.tables import SnapshotError
    from clearance.formats import tables as render

    if not csv_file.is_file():
        fail(f"{csv_file}: no such file")
    for w in checkcmd.snapshot_warnings(snapshots):
        checkcmd.say("warning", w)
    try:
        with err.status("following leaderboard lineages…"):
            report = leaderboard(csv_file, snapshots)
    except SnapshotError as exc:
        fail(str(exc))
    if fmt is LeaderboardFormat.json:
        # schema 2: commercial_share, unknown_reasons and models_list (every model) added; examples not cut at 20
        print(json.dumps({"schema_version": 2, **report}, indent=2, default=str))
        return
    if fmt is LeaderboardFormat.csv:
        sys.stdout.write(render.rows_csv(report["models_list"]))
        return
    c, share = report["commercial"], report["commercial_share"]
    out.print(f"{report['models']:,} leaderboard models, commercial use after lineage: "
              + ", ".join(f"{c[v]:,} {v} ({share[v]:.1%})" for v in c), highlight=False)
    if report["unknown_reasons"]:
        out.print("unknown, because: " + "; ".join(f"{reason}: {n:,}" for reason, n in report["unknown_reasons"].items()),
                  highlight=False)
    ok = report["declared_license_allows_commercial"]
    flipped = report["declared_ok_but_lineage_blocked_or_unknown"]
    out.print(f"{ok:,} ({ok / report['models']:.1%}) declare a license that allows commercial use; "
              f"{flipped:,} of them ({flipped / ok if ok else 0:.1%}) are blocked or unknown once lineage is followed",
              highlight=False)
    out.print("every model with its verdict and reason: --format csv or --format json", style="dim", highlight=False)


@hub_app.command("diff")
def hub_diff(old: Path = typer.Argument(..., help="The earlier snapshot."), new: Path = typer.Argument(..., help="The later snapshot."),
             top: int = typer.Option(50), fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f")) -> None:
    """License changes between two snapshots: tighter, looser, lateral; and new conflicts."""
    import json

    from clearance.analytics.diff import diff
    from clearance.analytics.tables import SnapshotError
    from clearance.formats import tables as render

    for w in [*checkcmd.snapshot_warnings([old]), *checkcmd.snapshot_warnings([new])]:
        checkcmd.say("warning", w)
    try:
        with err.status("comparing snapshots…"):
            report = diff(old, new, top)
    except SnapshotError as exc:
        fail(str(exc))
    for w in report["warnings"]:
        checkcmd.say("warning", w)
    if fmt is ShowFormat.json:
        # schema 2: changed_models (every model whose declared license changed) and warnings added
        print(json.dumps({"schema_version": 2, **report}, indent=2, default=str))
        return
    out.print(f"{report['models_in_both']:,} models in both snapshots; {report['changed']:,} changed their declared license "
              f"({', '.join(f'{n:,} {d}' for d, n in report['by_direction'].items()) or 'none'}); "
              f"{report['new_conflicts']:,} have new conflicts", highlight=False)
    changed = report["changed_models"]
    if changed:
        rows = [{"model": c["id"], "before": " ".join(c["before"]) or "(none)", "after": " ".join(c["after"]) or "(none)",
                 "direction": c["direction"]} for c in changed[:top]]
        title = "Models that changed" + (f" (first {top} of {len(changed):,}; --top or --format json for all)"
                                         if len(changed) > top else "")
        out.print(render.rows_table(rows, title))
    if report["new_conflict_examples"]:
        out.print(render.rows_table([{"model": c["id"], "new conflicts": c["new_conflicts"]}
                                     for c in report["new_conflict_examples"]], "New conflicts"))
    if report["transitions"]:
        out.print(render.rows_table(report["transitions"], "License transitions"))


@hub_app.command("report")
def hub_report(snapshots: list[Path] = SnapshotsArg,
               out_dir: Path = typer.Option(..., "--out", help="Directory to write index.html and charts/ into."),
               leaderboard_csv: Path = typer.Option(None, "--leaderboard", help="An Open LLM Leaderboard CSV to include."),
               by: str = typer.Option("quarter", help="month, quarter or year")) -> None:
    """A self-contained HTML report with charts (PNG and SVG) and tables, readable offline."""
    from clearance.analytics import report
    from clearance.analytics.hub import PERIODS
    from clearance.analytics.tables import SnapshotError

    if by not in PERIODS:
        fail(f"--by {by!r} is not one of: {', '.join(PERIODS)}")
    analysis = _analysis(snapshots)  # under its own progress line
    try:
        with err.status("drawing charts…"):
            index = report.build(snapshots, out_dir, leaderboard_csv=leaderboard_csv, by=by, analysis=analysis)
    except SnapshotError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out_dir}: cannot write the report ({exc.strerror or exc})")
    out.print(f"wrote {index}")


@hub_app.command("audit")
def hub_audit(snapshots: list[Path] = SnapshotsArg,
              out_file: Path = typer.Option(..., "--out", help="Parquet file to write, one row per model.")) -> None:
    """One row per model (id, verdict, declared and inherited licenses, findings) for commercial use."""
    analysis = _analysis(snapshots)
    n = analysis.write_audit(out_file)
    err.print(f"wrote {n:,} rows to {out_file}")


# What a license file is called when it is no license value: a path, or a file name.
_FILE_NAMES = ("license", "licence", "copying", "notice", "readme", "use_policy", "use-policy")


def _names_a_file(value: str) -> bool:
    text = value.strip()
    if not text or " " in text:
        return False
    if "/" in text or "\\" in text or text.startswith(("~", ".")):
        return not text.startswith(("http:", "https:"))
    stem, dot, suffix = text.rpartition(".")
    name = (stem if dot else text).lower()
    return name.startswith(_FILE_NAMES) or (bool(dot) and suffix.lower() in ("txt", "md", "rst"))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long for the filesystem: then it is a value, not a path
        return False


def _expand_stdin(values: list[str]) -> list[str]:
    expanded: list[str] = []
    for value in values:
        if value != "-":
            if "\x00" in value:
                raise InputError("argument contains a NUL byte: not a license value")
            expanded.append(value)
            continue
        data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
        if len(data) > MAX_STDIN_BYTES:
            raise InputError(f"standard input is larger than {MAX_STDIN_BYTES} bytes; give one license value per line")
        if b"\x00" in data:
            raise InputError("standard input is binary (NUL bytes); expected one license value per line")
        lines = [line.strip() for line in data.decode("utf-8", errors="replace").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise InputError("standard input is empty; expected one license value per line")
        expanded.extend(lines)
    return expanded


serve_app = typer.Typer(help="The web dashboard and REST API (see docs/server.md).", invoke_without_command=True)
app.add_typer(serve_app, name="serve")
serve_token_app = typer.Typer(help="Bearer tokens for the API's writes.", no_args_is_help=True)
serve_app.add_typer(serve_token_app, name="token")
DbOption = typer.Option("sqlite:///clearance.db", "--db", help="Store URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.")


@serve_app.callback(invoke_without_command=True)
def serve_cmd(
    ctx: typer.Context,
    db: str = DbOption,
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from and to analyse (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub."),
    hub_endpoint: str = typer.Option(None, "--hub-endpoint", help="The one Hub the server may call (default https://huggingface.co or $HF_ENDPOINT)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes (2 on a two-core machine)."),
) -> None:
    """Serve the dashboard and the REST API (/api/v1, OpenAPI at /openapi.json)."""
    if ctx.invoked_subcommand is not None:
        return
    from clearance.server import Settings, serve
    from clearance.server.db import StoreError
    from clearance.sources.hub import is_offline
    from clearance.sources.interface import SourceError

    if not 1 <= port <= 65535:
        fail(f"--port {port} is not a TCP port")
    if workers < 1:
        fail(f"--workers {workers}: at least 1")
    try:
        serve(Settings(db_url=db, snapshots=snapshots, offline=offline or is_offline(), hub_endpoint=hub_endpoint),
              host=host, port=port, workers=workers)
    except (StoreError, SourceError, ValueError) as exc:
        fail(str(exc))


@serve_token_app.command("create")
def serve_token_create(name: str = typer.Argument(..., help="Who or what the token is for (shown in the audit history)."),
                       db: str = DbOption,
                       expires: str = typer.Option(None, "--expires", help="When it stops working: 90d, 12h, 30m or a date (2027-01-31, UTC). Default: never.")) -> None:
    """Create a write token: printed once on stdout; the store keeps only its hash."""
    from clearance.server import create_token
    from clearance.server.db import StoreError

    try:
        token = create_token(db, name, expires)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    print(token)
    err.print(f"token {name!r} created: it is shown only this once", highlight=False)


@serve_token_app.command("list")
def serve_token_list(db: str = DbOption) -> None:
    """List the write tokens: id, prefix, name, status (active, revoked, expired), dates. Never the secret."""
    from clearance.server import list_tokens
    from clearance.server.db import StoreError

    try:
        rows = list_tokens(db)
    except StoreError as exc:
        fail(str(exc))
    for t in rows:
        expires = f"expires {t['expires_at']:%Y-%m-%d %H:%M}Z" if t["expires_at"] else "no expiry"
        print(f"{t['id']:>4}  {t['prefix']}  {t['status']:<7}  created {t['created_at']:%Y-%m-%d}  {expires:<27}  {t['name']}")
    if not rows:
        err.print("no tokens yet: `clearance serve token create NAME`", highlight=False)


@serve_token_app.command("revoke")
def serve_token_revoke(token: str = typer.Argument(..., help="The token's id or prefix, as `serve token list` shows them."),
                       db: str = DbOption) -> None:
    """Revoke a write token: running servers refuse it within 2 s; recorded in the audit history."""
    from clearance.server import revoke_token
    from clearance.server.db import StoreError

    try:
        gone = revoke_token(db, token)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    err.print(f"token {gone['id']} ({gone['prefix']}, {gone['name']!r}) revoked", highlight=False)


def main() -> None:
    """Run the Typer app (the console script goes through `launcher.main`, which runs a plain
    `check` itself and hands everything else here)."""
    from clearance.launcher import exit_now

    code: int = 0
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        code = 130
    except SystemExit as exc:
        if isinstance(exc.code, int) or exc.code is None:
            code = exc.code or 0
        else:  # SystemExit("message"): print it as the interpreter would
            print(exc.code, file=sys.stderr)
            code = 1
    exit_now(code)


if __name__ == "__main__":
    main()
