"""Model and dataset references in Python source, read with `ast` (never imported or run).

One pass over the tree, iterative (a file of `a+a+a+…` nests deeper than Python's recursion
limit), records three things per scope (module, class, function):
  - calls of the APIs in `apis.py` and the expressions that give their id;
  - simple constant assignments (`NAME = "org/model"`, f-strings without placeholders,
    `a if c else b`, `os.getenv("X", "org/model")`, `x or "org/model"`, parameter defaults,
    `self.x = ...` in methods) and which names each scope binds;
  - key-named values that hold an id on their own (`model_name_or_path = "org/model"`,
    `f(base_model="org/model")`, `{"dataset": "org/data"}`, argparse defaults of `--model`).
Names an API call reads are resolved once the pass is over, with Python's scoping rules (a
function sees its own names, then enclosing functions', then the module's; a class body's names
only through `self.`/`cls.`). A reference is reported on the line where the id is written; the
call that reads it is kept as a use line for `--diff`.

Strings that are whole statements (docstrings) are never read, and comments are not in the tree.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import Any

from clearance.scan import apis, shell
from clearance.scan.collect import Collector
from clearance.scan.hubid import URL_MARKS, mentions_url
from clearance.scan.keys import (
    BARE_KEYS,
    context_kind,
    is_subkey,
    key_kind,
    lists_ids_as_keys,
    norm_key,
    service_scoped,
    subkey_takes_bare,
)
from clearance.scan.keys import TRIGGERS as KEY_TRIGGERS
from clearance.scan.model import RANK_API, RANK_KEY, RANK_URL

_URL_MARKS = tuple(m.encode() for m in URL_MARKS)
# Every key `keys.py` knows has one of these words (case and separators aside): a file whose code
# has none of them holds no key-named id. Looked for in the lower-cased bytes.
_KEY_WORDS = tuple(t.encode() for t in KEY_TRIGGERS)
# The keys where a bare legacy id counts, in any case and with `_`, `-` or nothing between words.
_BARE_KEYS = tuple(re.compile(k.encode().replace(b"_", rb"[_\-]?")) for k in sorted(BARE_KEYS)
                   if not any(o != k and o in k for o in BARE_KEYS))  # the shortest suffice; one regex each
                                                                      # keeps the search on its literal start
# The slash of something shaped like org/name (checked around it by `_Code.id_in_string`).
_ID_SLASH = re.compile(rb"/[A-Za-z0-9_]")
# A string the parser may take for an id (`org/name`, `datasets/org/name`, `openai/org/name`), or
# one with a command-line flag in it (`--model_name_or_path org/name`).
_WHOLE_ID = re.compile(rb"[A-Za-z0-9_.\-]{1,96}(?:/[A-Za-z0-9_.\-]{1,96}){1,2}")
_ID_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_FLAG_BYTES = re.compile(rb"(?:^|\s)--?[A-Za-z]")
_STRING = re.compile(rb"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")  # a one-line string literal
_FIND_BUDGET = 5000  # candidates the pre-filter examines in one file before it gives up and parses
_LOOKBACK = 2048  # bytes looked back for the start of a line
_MAX_VALUE_DEPTH = 12  # nested `a if c else (b if d else ...)` worth following
_MAX_RESOLVE_DEPTH = 12  # A = B; B = C; ... chains worth following
_SKIP_FIELDS = frozenset({"ctx", "op", "annotation", "returns", "type_comment", "decorator_list"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_MAX_ELEMENTS = 1000  # items of one list or mapping literal worth reading
# Strings that are messages, not values: help texts, usage examples, what is printed or logged.
_PROSE_KEYWORDS = frozenset({"help", "description", "epilog", "usage", "msg", "message", "examples", "example"})
_PROSE_NAME_PARTS = frozenset({"help", "usage", "example", "examples", "epilog", "doc", "docs", "docstring", "description"})
_PROSE_CALLS = frozenset({"print", "echo", "debug", "info", "warning", "warn", "error", "exception", "critical", "log",
                          "write", "secho", "markdown", "Markdown"})
# Where a project writes what it makes: methods with the output first, and keyword arguments that
# name the output, in any call (True) or only in one of those methods (False: `repo_id=` of any
# other call is something read, `push_to_hub(repo_id=...)` something written).
_SAVE_CALLS = frozenset({"save_pretrained", "save_model", "push_to_hub", "save_to_disk"})
_OUTPUT_KEYWORDS = {"output_dir": True, "save_directory": True, "hub_model_id": True, "push_to_hub_model_id": True,
                    "repo_id": False, "dataset_path": False}
_MAX_TEMPLATE_VALUES = 16  # values of one f-string worth trying (the product over its placeholders)
# Methods that grow a list or set in place: `embedding_models.extend([...])`, `.append("org/x")`.
_GROW_ONE = frozenset({"append", "add", "insert"})
_GROW_MANY = frozenset({"extend", "update"})
_DATASET_RECEIVER = re.compile(r"(?i)dataset|distiset|^d?ds$|^ds_|_ds$|dset")
_FLAG = re.compile(r"(?:^|\s)--?[A-Za-z]")  # a command-line flag in a string
_PLACEHOLDER = "${__value__}"  # an f-string's {expression} in a command line: a variable, never an id


def wanted(data: bytes) -> bool:
    """Cheap pre-filter on the raw bytes: could the parser find a reference in this file? Parsing
    is most of a scan's time, and most mentions of `from_pretrained` in a library are in its
    docstrings.

    The filter is never stricter than the parser: it asks only for what every reference the
    parser reports needs, wherever it sits in the code (comment lines and docstrings aside, which
    the parser does not read either): an API name, a Hub URL, or else a key word (`model`,
    `dataset`, `tokenizer`, `repo`, `adapter`, in any case) together with a bare-id key
    (`model_name_or_path`) or a string that is shaped like org/name or holds one after a
    command-line flag. Where the key and the id sit, and in which language the comments around
    them are written, does not matter. Triple-quoted strings that are values
    (`args = f'''--model org/x'''`) are code here, as they are to the parser."""
    code = _Code(data)
    for mark in apis.TRIGGERS + _URL_MARKS:
        if mark in data and code.find(mark):
            return True
    for mark, pattern in apis.SECOND_LOOK.items():
        if mark in data and code.find(pattern):
            return True
    low = data.lower()  # ASCII only: offsets stay those of `data`
    if not (any(code.find(k, haystack=low) for k in _BARE_KEYS) or code.find(_ID_SLASH, code.id_in_string)):
        return False
    return any(word in low and code.find(word, haystack=low) for word in _KEY_WORDS)


class _Code:
    """Finds a pattern in code, roughly: not in a docstring, not on a comment line. Docstrings are
    the triple-quoted strings that stand as statements (only blanks before them on their line, and
    no open bracket, comma or operator at the end of the code before); the others are values and
    count as code. The regions are computed on first use; when the triple quotes do not pair up (a
    triple quote inside a string), everything counts as code and the filter lets the file through."""

    __slots__ = ("data", "starts", "ends", "values")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts: list[int] | None = None
        self.ends: list[int] = []
        self.values: list[tuple[int, int]] = []  # triple-quoted strings that are values

    def find(self, pattern: bytes | re.Pattern[bytes], accept=None, haystack: bytes | None = None) -> bool:
        """Is `pattern` (bytes, or a regex) somewhere in code, and `accept(data, offset)`? With
        `haystack` (the data lower-cased), the pattern is looked for there."""
        data = self.data
        hay = data if haystack is None else haystack
        if self.starts is None:
            self._regions()
        starts, ends = self.starts, self.ends
        if isinstance(pattern, bytes):
            def search(at: int, mark: bytes = pattern) -> int:
                return hay.find(mark, at)
            width = len(pattern)
        else:
            def search(at: int, regex: re.Pattern[bytes] = pattern) -> int:
                match = regex.search(hay, at)
                return -1 if match is None else match.start()
            width = 1
        pos = search(0)
        budget = _FIND_BUDGET
        while pos >= 0:
            budget -= 1
            if budget < 0:
                return True  # too many candidates to sort out cheaply: let the parser decide
            k = bisect.bisect_right(starts, pos) - 1  # type: ignore[arg-type]
            if k >= 0 and pos < ends[k]:
                pos = search(ends[k])  # skip the rest of this docstring
                continue
            line_start = max(data.rfind(b"\n", max(0, pos - _LOOKBACK), pos) + 1, pos - _LOOKBACK, 0)
            if data[line_start:pos].lstrip().startswith(b"#") and not self._in_value(pos):
                end = data.find(b"\n", pos)
                if end < 0:
                    return False
                pos = search(end)
                continue
            if accept is None or accept(data, pos):
                return True
            pos = search(pos + width)
        return False

    def _value_at(self, pos: int) -> tuple[int, int] | None:
        """The triple-quoted value string around `pos`, if any."""
        k = bisect.bisect_right(self.values, (pos, 1 << 62)) - 1
        if k >= 0 and pos < self.values[k][1]:
            return self.values[k]
        return None

    def _in_value(self, pos: int) -> bool:
        return self._value_at(pos) is not None

    def id_in_string(self, data: bytes, slash: int) -> bool:
        """Is the org/name around `slash` in a string the parser would read an id from: a string
        that is the id itself (no blanks), or a command line (it has a `-` flag)?"""
        if slash == 0 or data[slash - 1] not in _ID_BYTES:
            return False
        region = self._value_at(slash)
        if region is not None:
            text = data[region[0] + 3:region[1] - 3]
        else:
            line_start = max(data.rfind(b"\n", max(0, slash - _LOOKBACK), slash) + 1, slash - _LOOKBACK, 0)
            end = data.find(b"\n", slash)
            line = data[line_start:end if end >= 0 else len(data)]
            at = slash - line_start
            text = next((m.group()[1:-1] for m in _STRING.finditer(line) if m.start() < at < m.end()), None)
            if text is None:
                return False
        return bool(_WHOLE_ID.fullmatch(text.strip()) or _FLAG_BYTES.search(text))

    def _regions(self) -> None:
        data = self.data
        starts: list[int] = []
        ends: list[int] = []
        values: list[tuple[int, int]] = []
        pos = 0
        double, single = data.find(b'"' * 3), data.find(b"'" * 3)
        while double >= 0 or single >= 0:
            if single < 0 or 0 <= double < single:
                quote, start = b'"' * 3, double
            else:
                quote, start = b"'" * 3, single
            end = data.find(quote, start + 3)
            if end < 0:  # unpaired: trust nothing
                starts, ends, values = [], [], []
                break
            if self._statement(start):
                starts.append(start)
                ends.append(end + 3)
            else:
                values.append((start, end + 3))
            pos = end + 3
            if 0 <= double < pos:
                double = data.find(b'"' * 3, pos)
            if 0 <= single < pos:
                single = data.find(b"'" * 3, pos)
        self.starts, self.ends, self.values = starts, ends, values

    def _statement(self, start: int) -> bool:
        """Does the triple-quoted string at `start` stand as a statement (a docstring)?"""
        data = self.data
        line_start = data.rfind(b"\n", max(0, start - _LOOKBACK), start) + 1
        if data[line_start:start].strip(b" \t").rstrip(b"rRuUbBfF"):
            return False  # `x = '''`, `f('''`, `return '''`: a value
        before = data[max(0, line_start - _LOOKBACK):line_start].rstrip()
        return not before or before[-1:] not in (b"(", b"[", b"{", b",", b"=", b"+", b"%", b"\\")


def scan_python(source: bytes | str, col: Collector, *, name: str = "<file>") -> None:
    """Parse `source` and add its references to `col`. A file that does not parse gives a
    warning with the line at fault."""
    try:
        with warnings.catch_warnings():  # the scanned code's invalid escapes are not ours to report
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(source, filename=name)
    except SyntaxError as exc:
        col.warn(exc.lineno or 1, f"not valid Python ({exc.msg}): not scanned")
        return
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, too deeply nested
        col.warn(None, f"not valid Python ({_reason(exc)}): not scanned")
        return
    data = source if isinstance(source, bytes) else source.encode("utf-8", "replace")
    _Scan(col, any(m in data for m in _URL_MARKS)).run(tree)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


class _Scope:
    __slots__ = ("parent", "kind", "consts", "bound", "redirect", "attrs", "cls", "module", "rewritten")

    def __init__(self, parent: _Scope | None, kind: str, cls: _Scope | None = None) -> None:
        self.parent = parent
        self.kind = kind  # module | class | function
        self.consts: dict[str, list[tuple]] = {}  # name -> value items assigned to it
        self.bound: set[str] = set()  # every name this scope binds
        self.redirect: dict[str, bool] = {}  # global (True) / nonlocal (False) declarations
        self.attrs: dict[str, list[tuple]] = {}  # class scopes: self.X = ... in its methods
        self.cls = cls  # function scopes: the class whose method this is (for self.X)
        self.module: _Scope = parent.module if parent is not None else self
        # name -> first line where code rewrites it from itself (`name = name.split("/")[-1]`): reads
        # after that line have no known constant value
        self.rewritten: dict[str, int] = {}


class _Sink:
    """Where a value ends up: an API argument or a key-named variable (`name`, to tell later
    whether the project pushes to what it holds)."""

    __slots__ = ("via", "kind", "bare", "rank", "use", "api", "strict", "role", "name")

    def __init__(self, via: str, kind: str, bare: bool, rank: int, use: int, api: apis.Api | None = None, *,
                 strict: bool = False, role: str = "used", name: str | None = None) -> None:
        self.via, self.kind, self.bare, self.rank, self.use, self.api = via, kind, bare, rank, use, api
        self.strict, self.role, self.name = strict, role, name


class _Scan:
    def __init__(self, col: Collector, urls: bool) -> None:
        self.col = col
        self.urls = urls
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (top-level module, real name)
        self.pending: list[tuple[_Sink, tuple]] = []
        self.found: list[tuple[_Sink, str, int]] = []  # what the sinks received, kept until the pass is over
        self.outputs: list[tuple] = []  # values the project writes to: output_dir=, save_pretrained(), push_to_hub()
        self.pushed: set[str] = set()  # names and attributes whose value is pushed to the Hub (args.repo_id)
        self.prose: set[int] = set()  # ids of string nodes that are help texts or printed messages
        self.spaces: set[str] = set()  # names whose value is a Space's id (create_repo(NAME, repo_type="space"))
        self.described: set[int] = set()  # dicts that describe a model or dataset (items of `datasets=[...]`)
        self.services: set[int] = set()  # dicts that configure a hosted service (`WATSONX_CONFIG = {...}`)

    # -- the pass -------------------------------------------------------------------------
    def run(self, tree: ast.AST) -> None:
        module = _Scope(None, "module")
        stack: list[tuple[Any, _Scope]] = [(tree, module)]
        pop, push = stack.pop, stack.append
        fields = _FIELDS
        Name, Store, Call, Constant, Expr, AST = ast.Name, ast.Store, ast.Call, ast.Constant, ast.Expr, ast.AST
        special = self._special
        while stack:
            node, scope = pop()
            t = type(node)
            if t is Name:
                if type(node.ctx) is Store:
                    scope.bound.add(node.id)
                continue
            if t is Constant:
                if type(node.value) is str:
                    if self.urls:
                        self._url(node.value, node.lineno)
                    if "--" in node.value and id(node) not in self.prose:
                        self._cmdline(node.value, node.lineno)
                    elif "=" in node.value and id(node) not in self.prose:
                        shell.scan_key_values(node.value, node.lineno, self.col)  # "pretrained=org/x,dtype=auto"
                continue
            if t is Expr and type(node.value) is Constant:
                continue  # a docstring, or a string written as a statement
            if t is Call:
                self._call(node, scope)
            else:
                handler = special.get(t)
                if handler is not None:
                    handler(self, node, scope, push)
                    continue
            names = fields.get(t)
            if names is None:
                names = fields[t] = tuple(f for f in t._fields if f not in _SKIP_FIELDS)
            for f in reversed(names):  # pushed backwards, popped in source order (imports first)
                child = getattr(node, f, None)
                if child is None:
                    continue
                if type(child) is list:
                    for c in reversed(child):
                        if isinstance(c, AST):
                            push((c, scope))
                elif isinstance(child, AST):
                    push((child, scope))
        for sink, item in self.pending:
            for text, line in self._resolve(item, 0, set()):
                self._emit(sink, text, line)
        self._flush()

    def _flush(self) -> None:
        """Hand what the sinks received to the collector, now that the whole file is known: a bare
        name the project writes its own output to (`output_dir=NAME`, `save_pretrained(NAME)`,
        `push_to_hub(NAME)`) is no model to check, and what goes where the project pushes is
        produced, not used."""
        own = set()
        for item in self.outputs:
            texts = [(item[1], item[2])] if item[0] == "lit" else self._resolve(item, 0, set())
            for text, _ in texts:
                name = text.strip().rstrip("/").removeprefix("./")
                if name and "/" not in name:
                    own.add(name)
        for sink, text, line in self.found:
            if ("/" not in text.strip() and text.strip() in own) or (sink.name is not None and sink.name in self.spaces):
                continue
            role = "produced" if sink.role == "produced" or (sink.name is not None and sink.name in self.pushed) else "used"
            uses = (sink.use,) if sink.use != line else ()
            self.col.add(text, line, sink.via, kind=sink.kind, bare=sink.bare, rank=sink.rank, uses=uses,
                         strict=sink.strict, role=role)

    def _function(self, node: Any, scope: _Scope, push) -> None:
        cls = scope if scope.kind == "class" else scope.cls
        inner = _Scope(scope, "function", cls)
        body = node.body
        if isinstance(body, list):
            for stmt in reversed(body):
                push((stmt, inner))
        else:
            push((body, inner))
        self._parameters(node.args, scope, inner, push)
        if not isinstance(node, ast.Lambda):
            scope.bound.add(node.name)
            for d in reversed(node.decorator_list):
                push((d, scope))

    def _parameters(self, args: ast.arguments, outer: _Scope, inner: _Scope, push) -> None:
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        for a in positional + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x is not None]:
            inner.bound.add(a.arg)
        for arg, default in pairs:
            push((default, outer))
            items = self._values(default, outer, 0)
            if items:
                inner.consts.setdefault(arg.arg, []).extend(items)
                self._key(arg.arg, items, f"parameter {arg.arg} default", default.lineno)

    def _class(self, node: ast.ClassDef, scope: _Scope, push) -> None:
        scope.bound.add(node.name)
        inner = _Scope(scope, "class")
        for stmt in reversed(node.body):
            push((stmt, inner))
        for child in reversed(node.decorator_list + node.bases + [k.value for k in node.keywords]):
            push((child, scope))

    def _import(self, node: ast.Import | ast.ImportFrom, scope: _Scope, push) -> None:
        is_from = type(node) is ast.ImportFrom
        module = (node.module or "") if is_from else ""
        relative = is_from and node.level > 0
        for alias in node.names:
            if alias.name == "*":
                continue
            if is_from:
                local = alias.asname or alias.name
                top = "" if relative else module.split(".", 1)[0]
                self.imports[local] = (top, alias.name)
            else:
                local = alias.asname or alias.name.split(".", 1)[0]
                self.imports[local] = (alias.name.split(".", 1)[0], local)
            scope.bound.add(local)

    def _assign(self, node: Any, scope: _Scope, push) -> None:
        value = node.value
        targets = node.targets if type(node) is ast.Assign else [node.target]
        for target in targets:
            push((target, scope))
        if value is not None:
            push((value, scope))
        if value is None:
            return
        for target in targets:
            name = _target_name(target)
            if name is not None:
                if type(value) is ast.Dict and service_scoped(name):
                    self.services.add(id(value))
                if not set(norm_key(name).split("_")).isdisjoint(_PROSE_NAME_PARTS):
                    self._prose(value)  # USAGE_EXAMPLES = ["hf download org/x", ...]
                self._container(name, value, scope)
        items = self._values(value, scope, 0)
        for target in targets:
            if type(target) is ast.Name and _rewrites(target.id, value):
                line = scope.rewritten.get(target.id)
                scope.rewritten[target.id] = target.lineno if line is None else min(line, target.lineno)
        if not items:
            return
        for target in targets:
            t = type(target)
            if t is ast.Name:
                scope.consts.setdefault(target.id, []).extend(items)
                self._key(target.id, items, f"variable {target.id}", target.lineno)
            elif t is ast.Attribute:
                owner = target.value
                if type(owner) is ast.Name and owner.id in ("self", "cls") and scope.cls is not None:
                    scope.cls.attrs.setdefault(target.attr, []).extend(items)
                self._key(target.attr, items, f"attribute {target.attr}", target.lineno)
            elif t is ast.Subscript:
                key = target.slice
                if type(key) is ast.Constant and type(key.value) is str:
                    self._key(key.value, items, f"key {key.value}", target.lineno)

    def _augassign(self, node: ast.AugAssign, scope: _Scope, push) -> None:
        """`MODELS += ["org/x"]`: more items of a list whose name holds ids."""
        push((node.value, scope))
        push((node.target, scope))
        name = _target_name(node.target)
        if name is not None and type(node.op) is ast.Add:
            self._container(name, node.value, scope)

    def _dict(self, node: ast.Dict, scope: _Scope, push) -> None:
        """A dict literal: its key-named values; none in a hosted service's settings (`WATSONX_CONFIG =
        {"generation_model": "ibm/granite-13b-chat-v2"}`, `{"ollama": {...}}`), whose names are the
        service's own."""
        service = id(node) in self.services
        for key, value in zip(reversed(node.keys), reversed(node.values)):
            push((value, scope))
            if key is not None:
                push((key, scope))
            if type(key) is not ast.Constant or type(key.value) is not str:
                continue
            if type(value) is ast.Dict and (service or service_scoped(key.value)):
                self.services.add(id(value))
            if service:
                continue
            if key.value in _PROSE_KEYWORDS:
                self._prose(value)  # field(metadata={"help": "..."})
            if key_kind(key.value) and not (id(node) in self.described and is_subkey(key.value)):
                self._key(key.value, self._values(value, scope, 0), f"key {key.value}", key.lineno)
            self._container(key.value, value, scope)

    def _joined(self, node: ast.JoinedStr, scope: _Scope, push) -> None:
        """An f-string: a URL only when it has no placeholders (its pieces are not URLs)."""
        if all(type(v) is ast.Constant for v in node.values):
            if self.urls and node.values:
                self._url("".join(v.value for v in node.values), node.lineno)
            if node.values and id(node) not in self.prose:
                self._cmdline("".join(v.value for v in node.values), node.lineno)
            return
        if id(node) not in self.prose and any(type(v) is ast.Constant and "--" in v.value for v in node.values):
            self._cmdline("".join(v.value if type(v) is ast.Constant else _PLACEHOLDER for v in node.values), node.lineno)
        for v in reversed(node.values):
            if type(v) is ast.FormattedValue:
                push((v, scope))

    def _declare(self, node: ast.Global | ast.Nonlocal, scope: _Scope, push) -> None:
        for name in node.names:
            scope.redirect[name] = isinstance(node, ast.Global)

    # -- calls ----------------------------------------------------------------------------
    def _call(self, node: ast.Call, scope: _Scope) -> None:
        func = node.func
        callee = _last_name(func)
        if callee in _PROSE_CALLS:
            for a in node.args:
                self._prose(a)
        save = callee in _SAVE_CALLS and type(func) is ast.Attribute
        for kw in node.keywords:
            if kw.arg in _PROSE_KEYWORDS:
                self._prose(kw.value)
            elif not save and _OUTPUT_KEYWORDS.get(kw.arg or ""):
                self.outputs.extend(self._output_items(kw.value, scope))
        if save:
            self._save(node, callee, scope)
        elif type(func) is ast.Attribute and (callee in _GROW_ONE or callee in _GROW_MANY) and node.args:
            self._grow(func, callee, node, scope)
        if type(func) is ast.Attribute and func.attr == "add_argument":
            self._argparse(node, scope)
            return
        if type(func) is ast.Attribute and func.attr == "parametrize":
            self._parametrize(node, scope)
        repo_type = _repo_type(node)
        if repo_type in ("space", "spaces"):
            exprs = node.args[:1] + [kw.value for kw in node.keywords if kw.arg == "repo_id"]
            self.spaces.update(name for e in exprs for name in _names_in(e))
            return  # a Space is neither a model nor a dataset
        api, via = self._api(func)
        consumed = api.keywords if api is not None else ()
        for kw in node.keywords:
            if not kw.arg or kw.arg in consumed:
                continue
            if key_kind(kw.arg):
                self._key(kw.arg, self._values(kw.value, scope, 0), f"keyword {kw.arg}", node.lineno,
                          kind="dataset" if repo_type in ("dataset", "datasets") else None)
            self._container(kw.arg, kw.value, scope)
        if api is None:
            return
        kind = api.kind
        if api.repo_type and repo_type in ("dataset", "datasets"):
            kind = "dataset"
        elif api.role == "produced" and api.method and type(func) is ast.Attribute and _DATASET_RECEIVER.search(
                _last_name(func.value) or ""):
            kind = "dataset"  # dataset.push_to_hub("org/d"), distiset.push_to_hub(...)
        exprs = [kw.value for kw in node.keywords if kw.arg in api.keywords]
        if api.position is not None and len(node.args) > api.position:
            arg = node.args[api.position]
            if type(arg) is not ast.Starred and not any(type(a) is ast.Starred for a in node.args[: api.position]):
                exprs.append(arg)
        for expr in exprs:
            sink = _Sink(via, kind, api.bare, RANK_API, node.lineno, api, role=api.role)
            self._feed(sink, self._values(expr, scope, 0))
            if api.role == "produced":
                self.pushed.update(_names_in(expr))

    def _prose(self, node: Any) -> None:
        """The strings of a help text or a list of usage examples: not read as command lines."""
        stack = [node]
        while stack and len(self.prose) < 1_000_000:
            e = stack.pop()
            t = type(e)
            if t is ast.Constant or t is ast.JoinedStr:
                self.prose.add(id(e))
            elif t in (ast.List, ast.Tuple, ast.Set):
                stack.extend(e.elts[:_MAX_ELEMENTS])
            elif t is ast.Dict:
                stack.extend(v for v in e.values[:_MAX_ELEMENTS] if v is not None)
            elif t is ast.BinOp:
                stack.extend((e.left, e.right))

    def _save(self, node: ast.Call, callee: str, scope: _Scope) -> None:
        """x.save_pretrained(OUT), trainer.save_model(OUT), model.push_to_hub(OUT): where the project
        writes; names read there are pushed when it is a push."""
        exprs = node.args[:1] + [kw.value for kw in node.keywords if kw.arg in _OUTPUT_KEYWORDS]
        for expr in exprs:
            self.outputs.extend(self._output_items(expr, scope))
            if callee == "push_to_hub":
                self.pushed.update(_names_in(expr))

    def _grow(self, func: ast.Attribute, method: str, node: ast.Call, scope: _Scope) -> None:
        """`embedding_models.extend(["org/a", "org/b"])`, `models.append("org/c")`: items added to a
        list or set whose name holds ids count as the list's own items would."""
        name = _target_name(func.value)
        if name is None or key_kind(name) is None:
            return
        value = node.args[-1]
        if method in _GROW_MANY:
            self._container(name, value, scope)
        else:
            self._key(name, self._values(value, scope, 0), f"item of {name}", value.lineno)

    def _output_items(self, expr: Any, scope: _Scope) -> list[tuple]:
        """The values an output argument may have; for an f-string (`f"./{name}"`, `f"{out}/{name}"`),
        the values of placeholders that are whole path components. One that is only part of a
        component (`f"{model_name}-nli-v1"`) names something new built from it, not the name itself."""
        if type(expr) is ast.JoinedStr:
            parts = expr.values
            out: list[tuple] = []
            for i, v in enumerate(parts):
                if type(v) is not ast.FormattedValue:
                    continue
                before = parts[i - 1] if i > 0 else None
                after = parts[i + 1] if i + 1 < len(parts) else None
                if ((before is None or (type(before) is ast.Constant and str(before.value).endswith("/")))
                        and (after is None or (type(after) is ast.Constant and str(after.value).startswith("/")))):
                    out.extend(self._values(v.value, scope, 0))
            return out
        return self._values(expr, scope, 0)

    def _container(self, name: str, node: Any, scope: _Scope) -> None:
        """A list or mapping under a model or dataset name: `datasets=[{"id": "org/d"}]`,
        `DATASETS = ["org/a", "org/b"]`, `DATASET_NAME_MAPPING = {"org/d": ("image", "text")}`."""
        t = type(node)
        if t not in (ast.List, ast.Tuple, ast.Set, ast.Dict):
            return
        kind = context_kind(name)
        if kind is None:
            return
        if t is ast.Dict:
            if lists_ids_as_keys(name):
                for key in node.keys[:_MAX_ELEMENTS]:
                    if type(key) is ast.Constant and type(key.value) is str and "/" in key.value:
                        self._feed(_Sink(f"key of {name}", kind, False, RANK_KEY, key.lineno, name=name),
                                   [("lit", key.value, key.lineno)])
            self._subkeys(node, kind, name, scope)
            return
        ids = key_kind(name) is not None
        for elt in node.elts[:_MAX_ELEMENTS]:
            if type(elt) is ast.Dict:
                self._subkeys(elt, kind, name, scope)
            elif ids and type(elt) is ast.Constant and type(elt.value) is str:
                self._key(name, [("lit", elt.value, elt.lineno)], f"item of {name}", elt.lineno)

    def _subkeys(self, node: ast.Dict, kind: str, name: str, scope: _Scope) -> None:
        """`{"id": "org/d", "split": "train"}` under a dataset name: the id of the thing described."""
        self.described.add(id(node))
        for key, value in zip(node.keys, node.values):
            if type(key) is ast.Constant and type(key.value) is str and is_subkey(key.value):
                items = self._values(value, scope, 0)
                if items:
                    self._feed(_Sink(f"{name} item {key.value}", kind, subkey_takes_bare(key.value, kind), RANK_KEY,
                                     key.lineno, name=name), items)

    def _cmdline(self, text: str, line: int) -> None:
        """A command line written as a string (`test_args = f'''train.py --model_name_or_path org/x
        --dataset_name org/d'''.split()`): read as shell, each id on its own line."""
        if not _FLAG.search(text):
            return
        shell.scan_shell_text(text, self.col.mapped(lambda n, first=line: first + n - 1))

    def _api(self, func: Any) -> tuple[apis.Api | None, str]:
        """The API a callee names, and how to say so (`transformers AutoModel.from_pretrained`)."""
        if type(func) is ast.Name:
            top, name = self.imports.get(func.id, (None, func.id))
            attribute, receiver = False, None
        elif type(func) is ast.Attribute:
            name, attribute, receiver = func.attr, True, func.value
            root = _root(receiver)
            top = self.imports[root][0] if root in self.imports else None
        else:
            return None, ""
        api = apis.lookup(name, attribute=attribute)
        if api is None:
            return None, ""
        if api.libs is not None:
            if (top is None and api.need_import) or (top and top not in api.libs):
                return None, ""
        if api.method:
            owner = _last_name(receiver)
            if name == "from_pretrained" and owner and apis.PEFT_RECEIVER.match(owner):
                api = apis.PEFT_FROM_PRETRAINED
            lib = top or (api.lib if api is apis.PEFT_FROM_PRETRAINED else "")
            via = f"{lib} {owner}.{name}" if owner else f"{lib} {name}"
        else:
            lib = api.lib if top is None else top
            via = f"{lib}.{name}" if lib else name
        return api, via.strip()

    def _argparse(self, node: ast.Call, scope: _Scope) -> None:
        default = next((kw.value for kw in node.keywords if kw.arg == "default"), None)
        if default is None:
            return
        names = [a.value for a in node.args if type(a) is ast.Constant and type(a.value) is str]
        names += [kw.value.value for kw in node.keywords if kw.arg == "dest" and type(kw.value) is ast.Constant
                  and type(kw.value.value) is str]
        dest = next((n.lstrip("-").replace("-", "_") for n in names if n.startswith("--") or not n.startswith("-")),
                    None)
        for option in names:
            found = key_kind(option.lstrip("-"))
            if found:
                sink = _Sink(f"argparse {option} default", found.kind, found.bare, RANK_KEY, node.lineno,
                             strict=found.strict, role=found.role, name=dest)
                self._feed(sink, self._values(default, scope, 0))
                return

    def _parametrize(self, node: ast.Call, scope: _Scope) -> None:
        """pytest.mark.parametrize("model_id", ["org/a", pytest.param("org/b", ...)]): the values
        of a key-named parameter."""
        names_arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "argnames"), None)
        rows = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "argvalues"), None)
        if type(names_arg) is ast.Constant and type(names_arg.value) is str:
            names = [n.strip() for n in names_arg.value.split(",")]
        elif type(names_arg) in (ast.List, ast.Tuple):
            names = [e.value if type(e) is ast.Constant and type(e.value) is str else "" for e in names_arg.elts]
        else:
            return
        if not any(key_kind(n) for n in names if n) or type(rows) not in (ast.List, ast.Tuple):
            return
        for row in rows.elts:
            if type(row) is ast.Call and _last_name(row.func) == "param":
                values = row.args
            elif len(names) > 1 and type(row) in (ast.List, ast.Tuple):
                values = row.elts
            else:
                values = [row]
            if len(names) == 1 and type(row) is ast.Call:
                values = values[:1]
            for name, value in zip(names, values):
                if name:
                    self._key(name, self._values(value, scope, 0), f"pytest parameter {name}", node.lineno)

    def _sequence(self, node: ast.List | ast.Tuple, scope: _Scope, push) -> None:
        """["--model_name_or_path", "org/model", ...]: a command line written as a list."""
        elts = node.elts
        for elt in reversed(elts):
            push((elt, scope))
        for flag, value in zip(elts, elts[1:]):
            if type(flag) is ast.Constant and type(flag.value) is str and flag.value.startswith("--"):
                name = flag.value[2:].partition("=")[0]
                if key_kind(name):
                    self._key(name, self._values(value, scope, 0), f"command-line {flag.value}", flag.lineno)

    def _key(self, name: str, items: list[tuple], via: str, line: int, kind: str | None = None) -> None:
        found = key_kind(name)
        if found and items:
            self._feed(_Sink(via, kind or found.kind, found.bare, RANK_KEY, line, strict=found.strict, role=found.role,
                             name=name), items)

    def _feed(self, sink: _Sink, items: list[tuple]) -> None:
        for item in items:
            if item[0] == "lit":
                self._emit(sink, item[1], item[2])
            else:
                self.pending.append((sink, item))

    def _emit(self, sink: _Sink, text: str, line: int) -> None:
        api = sink.api
        if api is not None:
            if api.prefixes:
                if not text.startswith(api.prefixes):
                    return
                text = text.split(":", 1)[1]
            if text.strip().lower() in api.not_ids:
                return
            if api.sentence_transformers and "/" not in text and _st_short_name(text):
                if self.col.is_local(text.strip()):
                    return
                text = "sentence-transformers/" + text.strip()
        self.found.append((sink, text, line))

    def _url(self, text: str, line: int) -> None:
        if mentions_url(text) and len(text) < 400:
            self.col.add(text, line, "huggingface.co URL", rank=RANK_URL)

    # -- values ---------------------------------------------------------------------------
    def _values(self, expr: Any, scope: _Scope, depth: int) -> list[tuple]:
        """What an expression may evaluate to, as far as constants tell: ("lit", text, line),
        or ("name", scope, name, line read) / ("attr", scope, attr) to resolve after the pass."""
        if depth > _MAX_VALUE_DEPTH:
            return []
        t = type(expr)
        if t is ast.Constant:
            return [("lit", expr.value, expr.lineno)] if type(expr.value) is str else []
        if t is ast.Name:
            return [("name", scope, expr.id, expr.lineno)]
        if t is ast.JoinedStr:
            return self._template(expr, scope, depth)
        if t is ast.IfExp:
            return self._values(expr.body, scope, depth + 1) + self._values(expr.orelse, scope, depth + 1)
        if t is ast.BoolOp and type(expr.op) is ast.Or:
            return [i for v in expr.values[:8] for i in self._values(v, scope, depth + 1)]
        if t is ast.Attribute:
            owner = expr.value
            if type(owner) is ast.Name and owner.id in ("self", "cls"):
                return [("attr", scope, expr.attr)]
            return []
        if t is ast.Call:
            return self._call_value(expr, scope, depth)
        return []

    def _template(self, expr: ast.JoinedStr, scope: _Scope, depth: int) -> list[tuple]:
        """An f-string: its text when every placeholder is a plain name or `self.x` whose constant
        values are known (`f"org/data-{split}"` after `split = "train"`), tried once the pass is
        over; nothing when a placeholder is anything else (a call, a format spec, a parameter)."""
        parts: list[Any] = []
        for p in expr.values:
            if type(p) is ast.Constant:
                parts.append(p.value)
            elif (type(p) is ast.FormattedValue and p.conversion == -1 and p.format_spec is None
                  and type(p.value) in (ast.Name, ast.Attribute)):
                items = self._values(p.value, scope, depth + 1)
                if not items:
                    return []
                parts.append(items)
            else:
                return []
        if all(type(p) is str for p in parts):
            return [("lit", "".join(parts), expr.lineno)]
        return [("fstr", tuple(parts), expr.lineno)]

    def _call_value(self, expr: ast.Call, scope: _Scope, depth: int) -> list[tuple]:
        """os.getenv("K", default), os.environ.get("K", default), field(default=...)."""
        name = _last_name(expr.func)
        if name in ("getenv", "get") and (name == "getenv" or _last_name(getattr(expr.func, "value", None)) == "environ"):
            default = expr.args[1] if len(expr.args) > 1 else next(
                (kw.value for kw in expr.keywords if kw.arg == "default"), None)
            if default is None:
                return []
            key = expr.args[0] if expr.args else None
            if type(key) is ast.Constant and type(key.value) is str and service_scoped(key.value):
                return []  # WATSONX_MODEL's default is a name in watsonx's catalogue, wherever it goes
            items = self._values(default, scope, depth + 1)
            if type(key) is ast.Constant and type(key.value) is str:
                self._key(key.value, items, f"environment variable {key.value} default", expr.lineno)
            return items
        if name in ("field", "Field"):
            default = next((kw.value for kw in expr.keywords if kw.arg == "default"), None)
            if default is None and name == "Field" and expr.args:
                default = expr.args[0]
            return self._values(default, scope, depth + 1) if default is not None else []
        return []

    def _resolve(self, item: tuple, depth: int, seen: set) -> list[tuple[str, int]]:
        if depth > _MAX_RESOLVE_DEPTH:
            return []
        if item[0] == "fstr":
            return self._fill(item, depth, seen)
        kind, scope, name = item[:3]  # ("name" | "attr", scope, name[, line]): literals never get here
        key = (kind, id(scope), name)
        if key in seen:
            return []
        seen.add(key)
        if kind == "attr":
            cls = scope.cls if scope.kind != "class" else scope
            if cls is None:
                return []
            items = cls.attrs.get(name, []) + cls.consts.get(name, [])
        else:
            items = _lookup(scope, name, item[3] if len(item) > 3 else None)
        out: list[tuple[str, int]] = []
        for sub in items:
            if sub[0] == "lit":
                out.append((sub[1], sub[2]))
            else:
                out.extend(self._resolve(sub, depth + 1, seen))
        return out


    def _fill(self, item: tuple, depth: int, seen: set) -> list[tuple[str, int]]:
        """The texts an f-string template may have: every combination of its placeholders'
        constant values, as long as there are few; none when a placeholder has no known value."""
        _, parts, line = item
        texts = [""]
        for part in parts:
            if type(part) is str:
                texts = [t + part for t in texts]
                continue
            values: list[str] = []
            for sub in part:
                if sub[0] == "lit":
                    values.append(sub[1])
                else:
                    values.extend(text for text, _ in self._resolve(sub, depth + 1, set(seen)))
            values = list(dict.fromkeys(values))
            if not values or len(texts) * len(values) > _MAX_TEMPLATE_VALUES:
                return []
            texts = [t + v for t in texts for v in values]
        return [(text, line) for text in texts]


def _lookup(scope: _Scope, name: str, line: int | None = None) -> list[tuple]:
    """The constant values `name` may have where `scope` reads it (Python's LEGB, less builtins);
    none when it is read on `line` after code rewrote it from itself."""
    current: _Scope | None = scope
    first = True
    while current is not None:
        if first or current.kind != "class":
            redirect = current.redirect.get(name)
            if redirect is True and current is not current.module:  # `global M` (a no-op at module level)
                current = current.module
                first = False
                continue
            if redirect is None or current is current.module:
                if name in current.consts:
                    rewritten = current.rewritten.get(name)
                    if rewritten is not None and line is not None and line > rewritten:
                        return []
                    return current.consts[name]
                if name in current.bound:
                    return []
        first = False
        current = current.parent
    return []


# Node types with a handler of their own; every other node just has its children visited.
_Scan._special = {  # type: ignore[attr-defined]
    ast.FunctionDef: _Scan._function, ast.AsyncFunctionDef: _Scan._function, ast.Lambda: _Scan._function,
    ast.ClassDef: _Scan._class, ast.Import: _Scan._import, ast.ImportFrom: _Scan._import,
    ast.Assign: _Scan._assign, ast.AnnAssign: _Scan._assign, ast.Dict: _Scan._dict, ast.Global: _Scan._declare,
    ast.Nonlocal: _Scan._declare, ast.JoinedStr: _Scan._joined, ast.List: _Scan._sequence, ast.Tuple: _Scan._sequence,
    ast.AugAssign: _Scan._augassign,
}


def _target_name(target: Any) -> str | None:
    """The name an assignment target gives: `X`, `self.X`, `d["X"]`."""
    if type(target) is ast.Subscript:
        key = target.slice
        return key.value if type(key) is ast.Constant and type(key.value) is str else None
    return _last_name(target)  # an assignment target is never a call


def _names_in(expr: Any) -> set[str]:
    """Names and attributes an expression reads its value from: `args.repo_id or NAME`."""
    out: set[str] = set()
    stack = [expr]
    while stack and len(out) < 32:
        e = stack.pop()
        t = type(e)
        if t is ast.Name:
            out.add(e.id)
        elif t is ast.Attribute:
            out.add(e.attr)
        elif t is ast.BoolOp:
            stack.extend(e.values)
        elif t is ast.IfExp:
            stack.extend((e.body, e.orelse))
    return out


_DEFAULT_CALLS = frozenset({"getenv", "get", "field", "Field"})


def _rewrites(name: str, value: Any) -> bool:
    """Does `name = value` compute a new value from the old one (`name.split("/")[-1]`,
    `name + "-x"`, `f"{name}-x"`, `clean(name)`)? Reading the name as it is (`name or "d"`,
    `name if c else ...`) or in a condition is no rewrite."""
    stack: list[tuple[Any, bool]] = [(value, False)]
    count = 0
    while stack and count < 500:
        e, transformed = stack.pop()
        count += 1
        t = type(e)
        if t is ast.Name:
            if e.id == name and transformed:
                return True
        elif t is ast.IfExp:
            stack.extend(((e.body, transformed), (e.orelse, transformed)))  # not its test
        elif t is ast.BoolOp:
            stack.extend((v, transformed) for v in e.values)
        elif t is ast.Call:
            passes = _last_name(e.func) in _DEFAULT_CALLS  # os.getenv("K", name) hands name back as it is
            stack.extend((a, transformed or not passes) for a in e.args)
            stack.extend((k.value, transformed or not passes) for k in e.keywords)
            stack.append((e.func, True))
        elif t in (ast.Attribute, ast.Subscript):
            stack.append((e.value, True))
        elif t is ast.BinOp:
            stack.extend(((e.left, True), (e.right, True)))
        elif t is ast.JoinedStr:
            stack.extend((v.value, True) for v in e.values if type(v) is ast.FormattedValue)
    return False


def _repo_type(node: ast.Call) -> object:
    for kw in node.keywords:
        if kw.arg == "repo_type" and type(kw.value) is ast.Constant:
            return kw.value.value
    return None


def _root(expr: Any) -> str | None:
    """The first name of a dotted expression: `transformers` in `transformers.AutoModel`,
    `HfApi` in `HfApi().snapshot_download`."""
    for _ in range(50):
        t = type(expr)
        if t is ast.Name:
            return expr.id
        if t is ast.Attribute:
            expr = expr.value
        elif t is ast.Call:
            expr = expr.func
        else:
            return None
    return None


def _last_name(expr: Any) -> str | None:
    t = type(expr)
    if t is ast.Name:
        return expr.id
    if t is ast.Attribute:
        return expr.attr
    if t is ast.Call:
        return _last_name(expr.func)
    return None


# sentence-transformers loads a bare name from its own organisation, except for the plain
# transformers checkpoints it knows (bert-base-uncased, roberta-base, ...), which stay as written.
_TRANSFORMERS_LEGACY = ("bert-", "roberta-", "distilbert-", "distilroberta-base", "gpt2", "t5-", "xlnet-", "xlm-",
                        "albert-", "camembert-", "openai-gpt", "ctrl", "distilgpt2", "bart-", "electra-")


def _st_short_name(text: str) -> bool:
    name = text.strip().lower()
    return bool(name) and not name.startswith(_TRANSFORMERS_LEGACY)
