"""Model and dataset ids in Jupyter notebooks (`.ipynb`, nbformat 4).

The code cells are read as one Python module, in order (a constant set in one cell and used in
a later one resolves as it does when the notebook runs); if that does not parse, each cell is
read on its own. Every line of code is mapped back to the line of the `.ipynb` file that holds
it, so references point into the notebook as an editor shows it. IPython `!commands` are read as
shell, `%%bash` / `%%sh` cells too; other magics are skipped.
"""

from __future__ import annotations

from clearance.scan import shell
from clearance.scan.collect import Collector
from clearance.scan.jsonfile import INVALID, load_json, strings
from clearance.scan.model import Hit
from clearance.scan.pyfile import scan_python


def scan_notebook(text: str, col: Collector) -> None:
    notebook = load_json(text, col)
    if notebook is INVALID:
        return
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        col.warn(None, "not an nbformat 4 notebook (no list of cells): not scanned")
        return
    # The file line of every string of every cell's source, in document order.
    source_lines = [line for key, _, _, line, depth in strings(text) if key == "source" and depth in (3, 4)]
    cursor = 0
    code: list[tuple[list[str], list[int]]] = []  # per code cell: python lines, file line of each
    for cell in cells:
        source = cell.get("source", []) if isinstance(cell, dict) else []
        pieces = [source] if isinstance(source, str) else [s for s in source if isinstance(s, str)] if isinstance(source, list) else []
        lines_of = source_lines[cursor:cursor + len(pieces)]
        cursor += len(pieces)
        if len(lines_of) < len(pieces) or not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        py_lines: list[str] = []
        file_lines: list[int] = []
        for piece, at in zip(pieces, lines_of):
            for part in piece.splitlines() or [""]:
                py_lines.append(part)
                file_lines.append(at)
        code.append(_magics(py_lines, file_lines, col))
    whole = [line for lines, _ in code for line in lines]
    mapping = [at for _, ats in code for at in ats]
    if not whole:
        return
    probe = col.sibling()
    scan_python("\n".join(whole) + "\n", probe)
    if not probe.warnings:
        _replay(probe, col, mapping)
        return
    for lines, ats in code:  # some cell does not parse: read them one by one
        if lines:
            scan_python("\n".join(lines) + "\n", col.mapped(lambda n, ats=ats: ats[min(n, len(ats)) - 1]))


def _replay(probe: Collector, col: Collector, mapping: list[int]) -> None:
    """Move the hits of the whole-notebook parse to the file's collector, on the file's lines."""
    def at(n: int) -> int:
        return mapping[min(max(n, 1), len(mapping)) - 1]

    for hit in probe.hits:
        line = at(hit.line)
        col.hits.append(Hit(hit.id, hit.kind, line, hit.via, hit.rank, tuple(u for u in map(at, hit.uses) if u != line),
                            hit.role))


def _magics(lines: list[str], ats: list[int], col: Collector) -> tuple[list[str], list[int]]:
    """Blank out IPython magics (keeping line numbers) and scan shell escapes as shell."""
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        if first.split()[0] in ("%%bash", "%%sh", "%%script"):
            shell.scan_shell_text("\n".join(lines[1:]), col.mapped(lambda n, ats=ats: ats[min(n, len(ats) - 1)]))
        return [], []
    out = []
    i = 0
    while i < len(lines):
        stripped = lines[i].lstrip()
        if stripped.startswith("!"):
            # `!cmd \` continues on the next lines, as IPython joins them: one shell command
            end = i
            while end + 1 < len(lines) and lines[end].rstrip().endswith("\\"):
                end += 1
            text = "\n".join([stripped[1:]] + lines[i + 1:end + 1])
            shell.scan_shell_text(text, col.mapped(lambda n, first=i: ats[min(first + n - 1, len(ats) - 1)]))
            out.extend([""] * (end - i + 1))
            i = end + 1
            continue
        out.append("" if stripped.startswith("%") else lines[i])
        i += 1
    return out, ats
