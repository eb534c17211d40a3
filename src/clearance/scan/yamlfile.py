"""Model and dataset ids in YAML files, with the line of each value.

Read as libyaml's event stream, not as a document: events carry the line of every scalar, a
stream never expands aliases (an alias bomb stays a handful of events), and the state kept here
is an explicit stack, so a file nested a hundred thousand deep costs memory, not the C stack
that PyYAML's composer would overflow (the reason `sources/frontmatter.py` bounds depth before
composing). Tags are never constructed, so `!!python/object` is just text. A file that stops
being valid YAML keeps what was read up to the error and gives a warning with its line.

Scalars under keys like `run:`, `script:` or `commands:` (CI workflows, docker-compose `command:`,
dstack run configurations) are read
as shell too, and `KEY=value` items (compose `environment:` lists) as environment variables.
"""

from __future__ import annotations

import yaml

from clearance.scan import shell
from clearance.scan.collect import Collector
from clearance.scan.structured import Context

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# `commands:`/`cmds:` lists are shell in dstack run configurations, Drone/Woodpecker pipelines and Taskfiles.
_SHELL_KEYS = frozenset({"run", "script", "command", "commands", "cmd", "cmds", "entrypoint", "args", "before_script",
                         "after_script"})
MAX_EVENTS = 2_000_000


class _Frame:
    __slots__ = ("is_map", "key", "ctx", "want_key", "current", "is_key")

    def __init__(self, is_map: bool, key: str | None, ctx: str | None, is_key: bool = False) -> None:
        self.is_map = is_map
        self.key = key  # the key this container sits under
        self.ctx = ctx  # context kind inherited from a model/dataset key above
        self.want_key = True  # maps: the next scalar is a key
        self.current: str | None = None  # maps: the key of the value to come
        self.is_key = is_key  # a complex key (a mapping used as a key): its contents are ignored


def scan_yaml(text: str, col: Collector) -> None:
    ctx = Context(col, "config key")
    loader = _Loader(text)
    stack: list[_Frame] = []
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            count += 1
            if count > MAX_EVENTS:
                col.warn(event.start_mark.line + 1, f"more than {MAX_EVENTS} YAML events: rest not scanned")
                return
            t = type(event)
            if t is yaml.ScalarEvent:
                if not stack:
                    continue
                top = stack[-1]
                if top.is_map and top.want_key:
                    top.current = event.value
                    top.want_key = False
                    if top.ctx and not top.is_key:
                        ctx.key(event.value, top.ctx, event.start_mark.line + 1, top.key)
                    continue
                key = top.current if top.is_map else top.key
                if not top.is_key:
                    line = event.start_mark.line + 1
                    ctx.value(key, top.ctx, event.value, line)
                    _embedded(col, key, event, line)
                if top.is_map:
                    top.want_key = True
            elif t is yaml.MappingStartEvent or t is yaml.SequenceStartEvent:
                is_map = t is yaml.MappingStartEvent
                if not stack:
                    stack.append(_Frame(is_map, None, None))
                    continue
                top = stack[-1]
                if top.is_map and top.want_key:
                    stack.append(_Frame(is_map, None, None, is_key=True))
                    continue
                key = top.current if top.is_map else top.key
                stack.append(_Frame(is_map, key, ctx.child_context(key, top.ctx), top.is_key))
            elif t is yaml.MappingEndEvent or t is yaml.SequenceEndEvent:
                if not stack:
                    continue
                done = stack.pop()
                if stack and stack[-1].is_map:
                    parent = stack[-1]
                    if done.is_key and not parent.is_key and parent.want_key:
                        parent.current, parent.want_key = None, False  # a complex key: its value follows
                    else:
                        parent.want_key = True
            elif t is yaml.AliasEvent:
                if stack and stack[-1].is_map:
                    top = stack[-1]
                    if top.want_key:
                        top.current, top.want_key = None, False
                    else:
                        top.want_key = True
            elif t is yaml.DocumentStartEvent:
                stack.clear()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        col.warn(mark.line + 1 if mark else None, f"not valid YAML ({exc.problem or exc.context or 'invalid'}): rest not scanned")
    except (yaml.YAMLError, RecursionError, MemoryError, ValueError) as exc:
        col.warn(None, f"not valid YAML ({(str(exc).splitlines() or ['?'])[0][:200]}): not scanned")
    finally:
        loader.dispose()


def _embedded(col: Collector, key: str | None, event: yaml.ScalarEvent, line: int) -> None:
    """Shell commands and KEY=value items inside a YAML scalar."""
    value = event.value
    if key is not None and key.lower() in _SHELL_KEYS and value:
        first = line + 1 if event.style in ("|", ">") else line
        shell.scan_shell_text(value, col.mapped(lambda n, first=first: first + n - 1))
    elif "=" in value and "\n" not in value:
        shell.scan_assignment_words([value], line, col)
