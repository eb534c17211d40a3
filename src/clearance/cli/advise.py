"""`clearance advise`: what a derivative may be licensed as, and what its card must declare."""

from __future__ import annotations

from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import NoticeFormat, UseChoice, emit, fail, offline_option, snapshots_option, use_option


def advise_cmd(
    target: str = typer.Argument(..., help="The derivative you publish: a local model folder (its README.md gets a patch) or its future Hub id."),
    bases: list[str] = typer.Option([], "--base", "-b", help="A base model (repeatable; default: the target's own base_model)."),
    datasets: list[str] = typer.Option([], "--dataset", "-d", help="A training dataset (repeatable)."),
    use: UseChoice = use_option("The use the derivative is meant for.", default=UseChoice.commercial),
    relation: str = typer.Option(None, "--relation", help="finetune, adapter, quantized or merge (default: merge for several bases, else finetune)."),
    snapshots: list[Path] = snapshots_option("Snapshot files to resolve lineage and find alternatives in (repeatable)."),
    offline: bool = offline_option(),
    fmt: NoticeFormat = typer.Option(NoticeFormat.text, "--format", "-f", help="text or json (markdown prints text)."),
) -> None:
    """What may a derivative be licensed as, and what must its card declare?"""
    import json

    from clearance.usecases.advise import advise, to_text

    if not bases:
        bases = _declared_bases(target)
        if not bases:
            fail(f"{target}: no base model given (--base) and none declared in its card")
    _must_resolve([*bases, *(f"datasets/{d}" for d in datasets)], snapshots, offline)
    try:
        advice = advise(target, bases, datasets, use=use.value, relation=relation, snapshots=snapshots, offline=offline or None)
    except ValueError as exc:  # an unknown --relation: usecases.advise raises a plain ValueError, no ClearanceError
        fail(str(exc))
    emit(fmt, lambda: json.dumps(advice.to_json(), indent=2), lambda: to_text(advice))


def _must_resolve(targets: list[str], snapshots: list[Path], offline: bool) -> None:
    """Each base and dataset advice is asked about must be found: advice that silently leaves
    one out answers a question nobody asked. (Only their own records: the lineage is advise's.)"""
    from clearance.usecases.lineage import default_sources, graph_for

    run.warn_snapshots(snapshots)
    run.check_paths(targets)
    sources = default_sources(snapshots, offline or None)
    graphs = [graph_for(t, depth=0, sources=sources) for t in targets]
    run.raise_last([run.not_found(g.root, g) for g in graphs
                    if g.root and not (g.artifact(g.root) and g.artifact(g.root).resolved)])


def _declared_bases(target: str) -> list[str]:
    """The base models the target's own card declares (`base_model`), when it is a folder."""
    from clearance.sources.frontmatter import read_card_file

    readme = Path(target) / "README.md"
    if not readme.is_file():
        return []
    base = read_card_file(readme).data.get("base_model")
    values = base if isinstance(base, list) else [base]
    return [str(v) for v in values if isinstance(v, str) and v.strip()]
