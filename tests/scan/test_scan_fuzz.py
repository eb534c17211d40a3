"""Property-based fuzzing of every scan reader: random text and bytes, near-valid code and
configs, random structured data. A reader never raises: it finds valid references or reports a
warning naming file:line. On generated configs, the readers find exactly the ids under id keys."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import tempfile
import warnings

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clearance.scan import scan_path
from clearance.scan.collect import Collector
from clearance.scan.dockerfile import scan_dockerfile
from clearance.scan.envfile import scan_env
from clearance.scan.hubid import is_hub_id, to_hub_id
from clearance.scan.jsfile import scan_js, scan_script_parts
from clearance.scan.jsonfile import scan_json
from clearance.scan.keys import key_kind
from clearance.scan.notebook import scan_notebook
from clearance.scan.pyfile import scan_python
from clearance.scan.shell import scan_shell_text
from clearance.scan.tomlfile import scan_toml
from clearance.scan.yamlfile import scan_yaml

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDS = st.sampled_from(["acme/model", "acme/data-set", "gpt2", "org/x", "a/b/c", "./local", "https://huggingface.co/acme/u",
                       "hf://datasets/acme/d/x.parquet", "${MODEL}", "not an id", "acme/" + "x" * 97, "acme--x/y", ""])
KEYS = st.sampled_from(["model", "model_name_or_path", "MODEL_ID", "dataset", "datasets", "path", "name", "title",
                        "base_model", "run", "environment", "embedding_model", "x"])
FRAGMENTS = st.sampled_from([
    "from transformers import AutoModel, pipeline\n", "import datasets\n", "M = {v!r}\n", "def f(m={v!r}):\n",
    "    return AutoModel.from_pretrained(m)\n", "AutoModel.from_pretrained({v!r})\n", "pipeline('t', {v!r})\n",
    "datasets.load_dataset({v!r})\n", "class C:\n", "    K = {v!r}\n", "x = f'{{a}}'\n", "global M\n", "(\n", ")\n",
    "lambda q={v!r}: AutoModel.from_pretrained(q)\n", "os.getenv('MODEL_ID', {v!r})\n", "\"\"\"{v}\"\"\"\n", "# {v}\n",
    "if M:\n", "    pass\n", "nonlocal M\n", "AutoModel.from_pretrained(M)\n", "{{'model': {v!r}}}\n",
])


@contextlib.contextmanager
def bounded(seconds: float = 10.0):
    """Fail, rather than hang, when a reader loops: every example must finish in seconds."""
    def expired(signum, frame):
        raise TimeoutError(f"a reader took more than {seconds} s on one example")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def collector() -> Collector:
    return Collector(tempfile.gettempdir() + "/clearance-no-such-root", "f")


def check(col: Collector, text: str | bytes) -> None:
    lines = (text.count("\n") if isinstance(text, str) else text.count(b"\n")) + 1
    for hit in col.hits:
        assert hit.kind in ("model", "dataset")
        assert is_hub_id(hit.id, bare=True), hit
        assert 1 <= hit.line <= lines, (hit, lines)
    assert all(isinstance(w, str) and w.startswith("f") for w in col.warnings)


@st.composite
def python_like(draw) -> str:
    parts = draw(st.lists(st.tuples(FRAGMENTS, IDS), max_size=14))
    return "".join(f.format(v=v) for f, v in parts)


@FUZZ
@given(st.one_of(st.text(max_size=300), python_like()))
@example("def f(:\n")
@example("x = " + "(" * 300 + ")" * 300)
@example("from transformers import AutoModel\nA = B\nB = A\nAutoModel.from_pretrained(A)\n")
@example("from transformers import AutoModel\nglobal M\nM = 'acme/x'\nAutoModel.from_pretrained(M)\n")
@example("nonlocal M\nAutoModel.from_pretrained(M)\n")
def test_python_reader_never_raises(text):
    col = collector()
    with warnings.catch_warnings(), bounded():
        warnings.simplefilter("ignore")
        scan_python(text, col)
        try:
            ast.parse(text)
            valid = True
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            valid = False
    check(col, text)
    assert valid or col.warnings


@FUZZ
@given(st.binary(max_size=300))
@example(b"\xff\xfe\x00from_pretrained")
@example(b"# -*- coding: latin-1 -*-\nM = '\xe9/x'\n")
def test_python_reader_takes_any_bytes(data):
    col = collector()
    with warnings.catch_warnings(), bounded():
        warnings.simplefilter("ignore")
        scan_python(data, col)
    check(col, data)


READERS = [scan_yaml, scan_json, scan_toml, scan_env, scan_shell_text, scan_dockerfile, scan_notebook, scan_js,
           scan_script_parts]


@FUZZ
@given(st.sampled_from(READERS), st.text(max_size=300))
@example(scan_yaml, "a: &a [*a]")
@example(scan_yaml, "? [a, b]\n: model\nmodel: !!python/object:os.system x")
@example(scan_json, '{"model": ' + "[" * 3000 + "]" * 3000 + "}")
@example(scan_toml, 'model = "acme/x"\nmodel = 1')
@example(scan_toml, 'datasets = [\n"acme/x", # c\n]\n[[x]]\n')
@example(scan_dockerfile, "RUN <<EOF\nhf download acme/x\n")
@example(scan_shell_text, "hf download '")
@example(scan_notebook, '{"cells": [{"cell_type": "code", "source": 3}]}')
@example(scan_notebook, '{"cells": [{"cell_type": "code", "source": ["%%bash"]}]}')
@example(scan_js, "pipeline('x', '" + "{" * 3000 + "acme/x")
@example(scan_js, "const m = `https://huggingface.co/${" * 500)
@example(scan_js, "a = b / c / d; x = /[/]acme\\/x/g; y = from_pretrained(")
@example(scan_js, "/* " + "({[" * 2000)
@example(scan_script_parts, "<script>pipeline('a', 'acme/x'")
def test_config_and_shell_readers_never_raise(reader, text):
    col = collector()
    with bounded():
        reader(text, col)
    check(col, text)


def keyed(kind_of_text: str) -> st.SearchStrategy:
    return st.dictionaries(KEYS, st.one_of(IDS, st.lists(IDS, max_size=3), st.integers()), max_size=8)


def expected_pairs(data: dict) -> set[tuple[str, str]]:
    """(id, kind) of every value under an id key of a flat mapping (lists count item by item)."""
    out = set()
    for key, value in data.items():
        found = key_kind(key)
        for item in value if isinstance(value, list) else [value]:
            if found and isinstance(item, str):
                hub = to_hub_id(item, found[0], bare=found[1])
                if hub:
                    out.add(hub)
            elif isinstance(item, str) and ("huggingface.co" in item or "hf://" in item):
                hub = to_hub_id(item, "model")
                if hub:
                    out.add(hub)
    return out


@FUZZ
@given(keyed("json"))
def test_json_reader_finds_exactly_the_ids_under_id_keys(data):
    text = json.dumps(data, indent=2)
    col = collector()
    with bounded():
        scan_json(text, col)
    check(col, text)
    assert {(h.id, h.kind) for h in col.hits} == expected_pairs(data)
    lines = text.splitlines()
    for hit in col.hits:
        assert hit.id.split("/")[-1] in lines[hit.line - 1]


@FUZZ
@given(keyed("yaml"))
def test_yaml_reader_finds_exactly_the_ids_under_id_keys(data):
    data = {k: v for k, v in data.items() if k not in ("run", "environment")}  # read as shell / env lines
    text = yaml.safe_dump(data, allow_unicode=True)
    col = collector()
    with bounded():
        scan_yaml(text, col)
    check(col, text)
    assert {(h.id, h.kind) for h in col.hits} == expected_pairs(data)


@FUZZ
@given(keyed("toml"))
def test_toml_reader_finds_exactly_the_ids_under_id_keys(data):
    def value(v):
        return json.dumps(v) if not isinstance(v, list) else "[\n" + ",\n".join(json.dumps(i) for i in v) + "\n]"
    text = "".join(f"{json.dumps(k)} = {value(v)}\n" for k, v in data.items())
    col = collector()
    with bounded():
        scan_toml(text, col)
    check(col, text)
    assert not col.warnings
    assert {(h.id, h.kind) for h in col.hits} == expected_pairs(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["a.py", "b.yaml", "c.json", "d.toml", ".env", "Dockerfile", "e.sh", "f.ipynb",
                                        "g/h.yml", "node_modules/i.py"]),
                       st.one_of(st.binary(max_size=200), python_like().map(str.encode)), max_size=8))
def test_scan_path_on_random_files_never_raises(files):
    with tempfile.TemporaryDirectory() as root:
        for name, data in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
        with bounded():
            report = scan_path(root)
        assert all(isinstance(w, str) for w in report.warnings)
        assert all(r.file in files and not r.file.startswith("node_modules") for r in report.references)
        assert report.files_scanned <= len(files)
