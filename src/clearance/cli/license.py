"""`clearance license list | show | identify`: the license knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from clearance.cli.common import ListFormat, ShowFormat, emit, fail, warn
from clearance.cli.run import UsageError

app = typer.Typer(help="The license knowledge base: list, show and identify licenses.", no_args_is_help=True)

MAX_STDIN_BYTES = 8 * 1024 * 1024


@app.command("list")
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
    emit(fmt, lambda: render.list_json(lics), lambda: render.list_table(lics))


@app.command("show")
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
    emit(fmt, lambda: render.show_json(lic), lambda: render.show_text(lic))


@app.command("identify")
def license_identify(
    values: list[str] = typer.Argument(..., help="License ids, names or URLs; a path to a LICENSE file; or - to read one value per line from stdin."),
    fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f"),
) -> None:
    """Map raw license values or texts to knowledge-base ids, with confidence and evidence."""
    from clearance.formats import licenses as render
    from clearance.kb.normalizer import default_normalizer
    from clearance.kb.textdetect import detect_file

    normalizer = default_normalizer()
    results = []
    for value in _expand_stdin(values):
        path = Path(value) if len(value) < 4096 and "\n" not in value else None
        if path is not None and _is_file(path):
            results.append(detect_file(path))
            continue
        found = normalizer.resolve(value, "card_license", "command line")
        if found.id is None and path is not None and _names_a_file(value):
            fail(f"{value}: no such file")
        results.append(found)
    for r in results:
        if r.id is None and r.evidence.startswith("no KB license") and " " not in r.input.strip():
            warn(f"{r.input}: no such file, and no license answers to this value")
    emit(fmt, lambda: render.identify_json(results), lambda: render.identify_table(results))


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
                raise UsageError("argument contains a NUL byte: not a license value")
            expanded.append(value)
            continue
        data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
        if len(data) > MAX_STDIN_BYTES:
            raise UsageError(f"standard input is larger than {MAX_STDIN_BYTES} bytes; give one license value per line")
        if b"\x00" in data:
            raise UsageError("standard input is binary (NUL bytes); expected one license value per line")
        lines = [line.strip() for line in data.decode("utf-8", errors="replace").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise UsageError("standard input is empty; expected one license value per line")
        expanded.extend(lines)
    return expanded
