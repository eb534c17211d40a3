"""Every bundled KB file is valid and sourced; a malformed file is reported by file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from clearance.kb import KBError, load
from clearance.kb.loader import default_dir
from clearance.kb.schema import TERM_NAMES
from clearance.kb.validate import problems

KB_FILES = sorted(default_dir().glob("*.yaml"))


def test_bundled_kb_passes_the_validator():
    assert problems(KB_FILES) == []


@pytest.mark.parametrize("path", KB_FILES, ids=lambda p: p.stem)
def test_every_stated_term_names_a_section_and_a_published_source(path, kb):
    lic = kb.get(path.stem)
    assert lic is not None and lic.curated
    for term in TERM_NAMES:
        ev = lic.evidence[term]
        assert ev.url.startswith(("https://", "http://")), f"{path.name}: {term} has no source URL"
        assert ev.section.strip(), f"{path.name}: {term} has no section"
    for required in ("commercial_use", "research_use", "redistribution", "derivatives"):
        assert lic.evidence[required].stated, f"{path.name}: {required} must be stated"


@pytest.mark.parametrize("path", KB_FILES, ids=lambda p: p.stem)
def test_kb_files_hold_paraphrases_not_license_texts(path):
    # A copied license text would be long; a KB file holds facts and short paraphrases.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for term, body in data["terms"].items():
        value = body.get("value")
        if isinstance(value, str):
            assert len(value) <= 400, f"{path.name}: terms.{term} is {len(value)} chars: paraphrase it"
    assert path.stat().st_size < 16_000, f"{path.name} is too large for structured facts"


def _write(tmp_path: Path, name: str, data: object | str) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _valid() -> dict:
    return yaml.safe_load((default_dir() / "apache-2.0.yaml").read_text(encoding="utf-8")) | {
        "id": "test-license", "aliases": ["a test license"], "spdx_id": None, "scancode_key": None,
        "link_patterns": [],
    }


def _mutate(path: list[str], value: object, delete: bool = False):
    def apply(data: dict) -> dict:
        node = data
        for key in path[:-1]:
            node = node[key]
        if delete:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return data
    return apply


MALFORMED = [
    ("missing-section", _mutate(["terms", "commercial_use", "section"], None, delete=True), "terms.commercial_use.section"),
    ("empty-section", _mutate(["terms", "commercial_use", "section"], ""), "terms.commercial_use.section"),
    ("bad-permission", _mutate(["terms", "redistribution", "value"], "maybe"), "terms.redistribution.value"),
    ("missing-required-term", _mutate(["terms", "derivatives"], None, delete=True), "terms.derivatives"),
    ("unknown-term", _mutate(["terms", "free_beer"], {"value": True, "section": "1"}), "terms.free_beer"),
    ("unknown-field", _mutate(["colour"], "blue"), "colour"),
    ("bad-category", _mutate(["category"], "libre"), "category"),
    ("source-not-declared", _mutate(["terms", "patent_grant", "source"], "nowhere"), "terms.patent_grant.source"),
    ("no-text-source", _mutate(["sources"], {"osi": "https://opensource.org/licenses"}), "sources"),
    ("not-a-url", _mutate(["sources", "text"], "see the file"), "sources.text"),
    ("bad-territory", _mutate(["terms", "excluded_territories"], {"value": [{"territory": "Europe"}], "section": "2"}), "terms.excluded_territories.value.0.territory"),
    ("negative-mau", _mutate(["terms", "mau_limit"], {"value": -5, "section": "2"}), "terms.mau_limit.value"),
    ("unknown-outside-placeholder", _mutate(["terms", "commercial_use", "value"], "unknown"), "terms.commercial_use.value"),
    ("missing-reviewed", _mutate(["reviewed"], None, delete=True), "reviewed"),
]


@pytest.mark.parametrize("case,mutate,field", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_kb_file_is_reported_with_file_and_field(tmp_path, case, mutate, field):
    path = _write(tmp_path, "test-license.yaml", mutate(_valid()))
    with pytest.raises(KBError) as info:
        load([path])
    assert info.value.file == "test-license.yaml"
    assert info.value.field == field, str(info.value)
    assert str(info.value).startswith("test-license.yaml: ")


@pytest.mark.parametrize(
    "text,where",
    [
        ("id: [unclosed\n", "line"),
        ("- just\n- a list\n", "-"),
        ("", "-"),
    ],
)
def test_unparseable_kb_file_names_the_file(tmp_path, text, where):
    path = _write(tmp_path, "broken.yaml", text)
    with pytest.raises(KBError) as info:
        load([path])
    assert info.value.file == "broken.yaml"
    assert info.value.field.startswith(where)


def test_non_utf8_kb_file(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: Lizenz f\xfcr".encode("latin-1"))
    with pytest.raises(KBError, match="latin.yaml: -: not UTF-8"):
        load([path])


def test_id_must_match_file_name(tmp_path):
    path = _write(tmp_path, "other-name.yaml", _valid())
    with pytest.raises(KBError, match="must match the file name"):
        load([path])


def test_alias_clash_between_files_names_the_later_file(tmp_path):
    first = _write(tmp_path, "test-license.yaml", _valid())
    second = _write(tmp_path, "test-license-two.yaml", _valid() | {"id": "test-license-two", "aliases": ["A Test License"]})
    with pytest.raises(KBError) as info:
        load([first, second])
    assert info.value.file == "test-license-two.yaml" and info.value.field == "aliases"


def test_loose_alias_clash_is_caught(tmp_path):
    first = _write(tmp_path, "test-license.yaml", _valid())
    second = _write(tmp_path, "test-license-two.yaml", _valid() | {"id": "test-license-two", "aliases": ["a-test-license"]})
    with pytest.raises(KBError, match="punctuation"):
        load([first, second])


def test_supersedes_must_exist_and_not_loop(tmp_path):
    a = _write(tmp_path, "lic-a.yaml", _valid() | {"id": "lic-a", "aliases": [], "supersedes": "lic-b"})
    with pytest.raises(KBError, match="not a KB license id"):
        load([a])
    b = _write(tmp_path, "lic-b.yaml", _valid() | {"id": "lic-b", "aliases": ["b"], "supersedes": "lic-a"})
    with pytest.raises(KBError, match="loops"):
        load([a, b])


def test_validator_reports_unknown_scancode_key(tmp_path):
    bad = _write(tmp_path, "test-license.yaml", _valid() | {"scancode_key": "no-such-scancode-key"})
    found = problems([bad])
    assert any("scancode_key" in line and "no-such-scancode-key" in line for line in found)


def test_validator_cli_exit_codes(tmp_path, capsys):
    from clearance.kb.validate import main

    assert main([]) == 0
    bad = _write(tmp_path, "zz-bad.yaml", _valid() | {"id": "zz-bad", "category": "libre"})
    assert main([str(bad)]) == 1
    assert "zz-bad.yaml: category" in capsys.readouterr().out


def test_kb_directory_copy_loads_identically(tmp_path):
    # The loader depends on nothing but the files: a copied directory gives the same KB.
    for path in KB_FILES:
        shutil.copy(path, tmp_path / path.name)
    copied = load(sorted(tmp_path.glob("*.yaml")))
    assert sorted(lic.id for lic in copied) == sorted(p.stem for p in KB_FILES)


def test_runtime_terms_and_file_schema_name_the_same_terms():
    from clearance.kb import terms

    assert terms.TERM_NAMES == TERM_NAMES
