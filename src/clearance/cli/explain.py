"""`clearance explain`: a finding's page, or the catalogue of findings."""

from __future__ import annotations

import sys

import typer

from clearance.cli.common import fail, out


def explain_cmd(code_or_name: str = typer.Argument(None, help="A finding code (CLR103) or name (license-conflict); omit to list them all.")) -> None:
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
