"""The findings catalogue (catalogue.yaml): stable codes, names, and their explanation pages."""

from __future__ import annotations

import functools
from pathlib import Path

from clearance.util import TYPE_CHECKING
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Literal
    Severity = Literal["error", "warning", "info"]


SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
# Relative to the project: the same pages `clearance explain` prints, rendered in docs/.
DOCS_URL = "docs/findings.md#{code}"


@value(slots=False)  # made a few times per run
class Rule:
    """One finding in the catalogue: stable code and name, default severity, and its page."""

    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    fix: str
    example: str

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code.lower())

    def page(self) -> str:
        """The explanation page, as Markdown."""
        return (
            f"# {self.code} {self.name}\n\n{self.summary}\n\nDefault severity: {self.severity}\n\n"
            f"## Why it matters\n\n{self.why}\n\n## How to fix it\n\n{self.fix}\n\n"
            f"## Example\n\n```\n{self.example.rstrip()}\n```\n"
        )


CATALOGUE = Path(__file__).with_name("catalogue.yaml")


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    """All rules by name, from the compiled cache when current (a cold check skips YAML)."""
    from clearance.kb.cache import INSTALLS, cached

    return cached([CATALOGUE, Path(__file__)], _read, name="catalogue", keep=INSTALLS)


def _read() -> dict[str, Rule]:
    import yaml

    out: dict[str, Rule] = {}
    # libyaml's loader when built: the pure-Python one takes ~90 ms here.
    for entry in yaml.load(CATALOGUE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        rule = Rule(**entry)
        out[rule.name] = rule
    return out


def rule(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    by_name = rules()
    if key.lower() in by_name:
        return by_name[key.lower()]
    for r in by_name.values():
        if r.code.lower() == key.lower():
            return r
    return None


def catalogue_markdown() -> str:
    """docs/findings.md: every page, in code order (a test keeps the file in sync)."""
    parts = ["# Findings\n\nEvery finding Clearance reports has a stable code and name. "
             "`clearance explain CODE_OR_NAME` prints the same pages.\n"]
    for r in sorted(rules().values(), key=lambda r: r.code):
        parts.append(f'<a id="{r.code.lower()}"></a>\n\n' + r.page().replace("# ", "## ", 1).replace("\n## ", "\n### "))
    return "\n".join(parts)
