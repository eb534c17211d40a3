"""A model or dataset card's YAML front matter, read with huggingface_hub's card helpers.

huggingface_hub finds the block (`REGEX_YAML_BLOCK`) and types it (`ModelCardData`,
`DatasetCardData`); the YAML itself is loaded here, not by `ModelCard`, for one reason: PyYAML
puts no bound on alias expansion, so a card with nested aliases ("billion laughs") loads as a
tiny shared structure that explodes whenever anything walks it. The loader composes the node
graph first, measures its expanded size without recursion, and only then constructs it. Before
that, one pass over the parser's events bounds the nesting depth: libyaml's composer recurses in
C, and a card of `[[[[…` a hundred thousand deep would crash the interpreter, not raise.

Nothing here raises: an unreadable block gives an empty card and a warning naming file:line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from huggingface_hub import DatasetCardData, ModelCardData
from huggingface_hub.repocard import REGEX_YAML_BLOCK

MAX_CARD_BYTES = 16 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 2 * 1024 * 1024
MAX_EXPANDED_NODES = 100_000  # scalars + collections once aliases are expanded
MAX_DEPTH = 256  # nesting of collections; real cards nest under 10 deep
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Card:
    data: Any  # a ModelCardData / DatasetCardData, or a plain dict; `.get(key)` either way
    warnings: tuple[str, ...] = ()
    has_front_matter: bool = False
    ok: bool = True  # False when a front matter block exists but could not be read


class YamlBomb(ValueError):
    pass


def read_card_file(path: Path, kind: str = "model") -> Card:
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            return Card({}, (f"{path}: {size} bytes, larger than a card can be ({MAX_CARD_BYTES}): not read",), False, False)
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        return Card({}, (f"{path}: cannot read ({exc.strerror or exc})",), False, False)
    return parse_card(text, str(path), kind)


def parse_card(text: str, where: str, kind: str = "model") -> Card:
    match = REGEX_YAML_BLOCK.search(text)
    if not match:
        return Card({}, (), False, True)
    block = match.group(2)
    first_line = text[: match.start(2)].count("\n") + 1
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return Card({}, (f"{where}:{first_line}: front matter of {len(block)} characters is too large: not read",), True, False)
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
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_depth(block: str) -> None:
    loader = _Loader(block)
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
    cls = DatasetCardData if kind == "dataset" else ModelCardData
    try:
        return Card(cls(**fields, ignore_metadata_errors=True), tuple(warnings), True, True)
    except Exception as exc:  # noqa: BLE001 - huggingface_hub's typing of odd values; the plain data still reads
        warnings.append(f"{where}:{line}: huggingface_hub rejected the card data ({type(exc).__name__}): read as plain YAML")
        return Card(fields, tuple(warnings), True, True)
