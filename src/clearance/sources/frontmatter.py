"""A model or dataset card's YAML front matter.

The block is found the way huggingface_hub's `RepoCard` finds it (a leading `---` line, up to
the next `---` line) and read as a plain mapping. huggingface_hub's `ModelCardData` is not
used: it adds nothing lineage needs and importing huggingface_hub costs a cold
`clearance check` a quarter of a second. The YAML is loaded here, for one more reason: PyYAML
puts no bound on alias expansion, so a card with nested aliases ("billion laughs") loads as a
tiny shared structure that explodes whenever anything walks it. The loader composes the node
graph first, measures its expanded size without recursion, and only then constructs it. Before
that, one pass over the parser's events bounds the nesting depth: libyaml's composer recurses in
C, and a card of `[[[[…` a hundred thousand deep would crash the interpreter, not raise.

Nothing here raises: an unreadable block gives an empty card and a warning naming file:line.

A card read from disk is parsed once: its front matter's value is kept in the user's cache
(`kb/cache.py`), keyed by the block's text, so checking an unchanged folder again does not
even import PyYAML (a changed card cost a cold check ~15 ms more: bench/bench_check.py). Blocks that fail are never cached.
"""

from __future__ import annotations

import re
from pathlib import Path

from clearance.util import TYPE_CHECKING
from clearance.util.errors import ClearanceError
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Any

    import yaml


# Same shape as huggingface_hub.repocard.REGEX_YAML_BLOCK: front matter opens the file.
REGEX_YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")

MAX_CARD_BYTES = 16 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 2 * 1024 * 1024
MAX_EXPANDED_NODES = 100_000  # scalars + collections once aliases are expanded
MAX_DEPTH = 256  # nesting of collections; real cards nest under 10 deep
CACHED_CARDS = 256  # parsed front matters kept in the cache


def _loader_class():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@value(slots=False)  # made a few times per run
class Card:
    """A card's front matter, and what went wrong reading it."""

    data: dict[str, Any]  # the front matter, string keys only
    warnings: tuple[str, ...] = ()
    has_front_matter: bool = False
    ok: bool = True  # False when a front matter block exists but could not be read


class YamlBomb(ClearanceError, ValueError):
    pass


def read_card_file(path: Path, kind: str = "model") -> Card:
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            return Card({}, (f"{path}: {size} bytes, larger than a card can be ({MAX_CARD_BYTES}): not read",), False, False)
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        return Card({}, (f"{path}: cannot read ({exc.strerror or exc})",), False, False)
    return parse_card(text, str(path), kind, cache=True)


def parse_card(text: str, where: str, kind: str = "model", cache: bool = False) -> Card:
    """The card in `text`; `where` names it in warnings. `cache`: keep the parsed front matter
    in the user's cache (for files on disk, read again and again)."""
    match = REGEX_YAML_BLOCK.search(text)
    if not match:
        return Card({}, (), False, True)
    block = match.group(2)
    first_line = text[: match.start(2)].count("\n") + 1
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return Card({}, (f"{where}:{first_line}: front matter of {len(block)} characters is too large: not read",), True, False)
    if cache:
        from clearance.kb.cache import cached

        holder: list[Card] = []

        def parse() -> dict[str, Any]:
            card = _parse_block(block, where, first_line, kind)
            holder.append(card)
            if not card.ok or card.warnings:
                raise _NotCached
            return card.data

        try:
            return Card(cached([Path(__file__)], parse, name="card", extra=f"{kind}|{block}", keep=CACHED_CARDS), (), True, True)
        except _NotCached:
            return holder[0]
    return _parse_block(block, where, first_line, kind)


class _NotCached(Exception):
    """A block that gave warnings: they name its file and line, so it is parsed every time."""


def _parse_block(block: str, where: str, first_line: int, kind: str) -> Card:
    import yaml

    try:
        data = load_yaml(block)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark is not None and first_line + exc.context_mark.line != line:
            problem += f", {exc.context} from line {first_line + exc.context_mark.line}"
        return Card({}, (f"{where}:{line}: front matter is not valid YAML ({problem})",), True, False)
    except (yaml.YAMLError, YamlBomb, RecursionError, MemoryError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else (str(exc).splitlines() or ["?"])[0][:200]
        return Card({}, (f"{where}:{first_line}: front matter not read ({reason})",), True, False)
    if data is None:
        return Card({}, (), True, True)
    if not isinstance(data, dict):
        return Card({}, (f"{where}:{first_line}: front matter is a {type(data).__name__}, not a mapping",), True, False)
    return _typed(data, where, first_line, kind)


def load_yaml(block: str) -> Any:
    _check_depth(block)
    loader = _loader_class()(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_depth(block: str) -> None:
    import yaml

    loader = _loader_class()(block)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlBomb(f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _check_size(root: yaml.Node) -> None:
    """Raise YamlBomb when the document, aliases expanded, exceeds MAX_EXPANDED_NODES, or when
    an alias refers to a node that contains it. Iterative post-order with memoised sizes."""

    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_EXPANDED_NODES:
                raise YamlBomb(f"aliases expand to more than {MAX_EXPANDED_NODES} nodes")
            size[nid] = total
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise YamlBomb("an alias refers to a node that contains it")
        on_path.add(nid)
        stack.append((node, True))
        for child in _children(node):
            cid = id(child)
            if cid in on_path:
                raise YamlBomb("an alias refers to a node that contains it")
            if cid not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _typed(data: dict[Any, Any], where: str, line: int, kind: str) -> Card:
    warnings = []
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        warnings.append(f"{where}:{line}: front matter keys that are not strings ignored: {bad_keys[:3]!r}"[:300])
    fields = {k: v for k, v in data.items() if isinstance(k, str)}
    fields.pop("model-index", None)  # evaluation results: not lineage, and a frequent source of errors
    return Card(fields, tuple(warnings), True, True)
