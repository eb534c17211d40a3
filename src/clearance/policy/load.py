"""Find and read the policy file; every error names the file and the key."""

from __future__ import annotations

from pathlib import Path

from clearance.engine.catalogue import rule
from clearance.kb import CATEGORIES
from clearance.kb.loader import KnowledgeBase
from clearance.policy.model import Policy
from clearance.util.errors import ClearanceError

MAX_POLICY_BYTES = 1024 * 1024


class PolicyError(ClearanceError, ValueError):
    """The policy file is malformed: the message says which file and which key."""


def find(start: Path) -> Path | None:
    """`clearance.toml`, or a `pyproject.toml` with [tool.clearance], in `start` or a parent."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "clearance.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.clearance" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def policy_for(path: Path | None = None, start: Path | None = None, kb: KnowledgeBase | None = None) -> Policy | None:
    """The policy in `path`, else the one `find` finds from `start` (default: the working
    folder) up, else None; its license names checked against `kb` (default: the bundled KB).
    How every command and `clearance.scan` find a project's policy. Raises PolicyError."""
    from clearance.kb.loader import default_kb

    found = path or find(start or Path.cwd())
    return None if found is None else load(found, kb or default_kb())


def load(path: Path, kb: KnowledgeBase | None = None) -> Policy:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{path}: {len(data)} bytes is too large for a policy file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text") from None
    return parse_text(text, str(path), kb, pyproject=path.name == "pyproject.toml")


def parse_text(text: str, label: str, kb: KnowledgeBase | None = None, *, pyproject: bool | None = None) -> Policy:
    """A policy from TOML text (a clearance.toml, or a pyproject.toml's [tool.clearance]);
    `label` names it in errors. `pyproject=None` takes [tool.clearance] when the text has one.
    The server validates saved policies with this too, so a policy means the same everywhere."""
    if len(text.encode("utf-8", errors="replace")) > MAX_POLICY_BYTES:
        raise PolicyError(f"{label}: larger than {MAX_POLICY_BYTES} bytes")
    import tomllib

    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{label}: invalid TOML: {exc}") from None
    prefix = ""
    tool = table.get("tool")
    if pyproject or (pyproject is None and isinstance(tool, dict) and "clearance" in tool):
        table = tool.get("clearance") if isinstance(tool, dict) else None
        prefix = "tool.clearance."
        if table is None:
            raise PolicyError(f"{label}: has no [tool.clearance] table")
    policy = from_table(table, label, prefix)
    _check_names(policy, label, prefix, kb)
    return policy


def from_table(table: dict, label: str = "policy", prefix: str = "") -> Policy:
    """Validate a parsed policy table. The validated value is cached by the table's content
    (`kb/cache.py`), so a project's CI runs import pydantic only when its policy changes; a
    table that fails validation is never cached and fails the same way every time."""
    from clearance.kb.cache import cached

    def validate() -> Policy:
        from pydantic import ValidationError

        from clearance.policy.schema import PolicySchema

        try:
            return PolicySchema.model_validate(table).to_policy()
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = prefix + ".".join(str(p) for p in err["loc"])
            raise PolicyError(f"{label}: {loc or '-'}: {err['msg']}") from None

    here = Path(__file__).parent
    code = [here / "model.py", here / "schema.py", here / "load.py"]
    return cached(code, validate, name="policy", extra=repr(sorted(table.items(), key=lambda kv: kv[0])), keep=8)


def _check_names(policy: Policy, path: Path | str, prefix: str, kb: KnowledgeBase | None) -> None:
    for key in ("allow", "deny"):
        for entry in getattr(policy, key):
            if entry in CATEGORIES:
                continue
            if kb is not None and kb.lookup(entry) is None and kb.get(entry) is None:
                raise PolicyError(f"{path}: {prefix}{key}: {entry!r} is neither a license category "
                                  f"({', '.join(CATEGORIES)}) nor a license the knowledge base knows")
    for name in policy.severity:
        if rule(name) is None:
            raise PolicyError(f"{path}: {prefix}severity: {name!r} is not a finding code or name (see `clearance explain`)")
