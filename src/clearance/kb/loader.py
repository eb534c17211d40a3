"""Load and index the knowledge base: curated YAML files, then ScanCode's long tail.

Errors name the file and the field, so a curator can fix a KB file from the message alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from pathlib import Path

from clearance.kb.terms import ABSENT, DUTY_TRIGGERS, TERM_NAMES, Evidence, LicenseTerms, Territory
from clearance.util import TYPE_CHECKING
from clearance.util.errors import ClearanceError
from clearance.util.lean import record

if TYPE_CHECKING:
    from clearance.kb.schema import LicenseFile

MAX_KB_FILE_BYTES = 256 * 1024


class KBError(ClearanceError, ValueError):
    """A knowledge-base file is malformed. `file` and `field` say where."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file, self.field, self.message = file, field, message
        super().__init__(f"{file}: {field}: {message}")


def exact_key(value: str) -> str:
    """How aliases match exactly: case- and whitespace-insensitive."""
    return " ".join(value.strip().lower().split())


def loose_key(value: str) -> str:
    """How aliases match loosely: only letters, digits and '+' count ("Apache 2.0" ~ "apache-2.0")."""
    return re.sub(r"[^a-z0-9+]", "", value.lower())


def default_dir() -> Path:
    # The package ships as files (src layout, wheel or editable), so no importlib.resources.
    return Path(__file__).resolve().parent / "licenses"


def parse_file(path: Path) -> LicenseFile:
    name = path.name
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise KBError(name, "-", f"cannot read: {exc.strerror}") from None
    if len(raw_bytes) > MAX_KB_FILE_BYTES:
        raise KBError(name, "-", f"file is {len(raw_bytes)} bytes, over the {MAX_KB_FILE_BYTES} limit")
    import yaml  # only when files are (re)validated; a cache hit needs no YAML

    try:
        data = yaml.load(raw_bytes.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError:
        raise KBError(name, "-", "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        raise KBError(name, where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise KBError(name, "-", "top level must be a mapping of fields")
    # Imported here: pydantic is only needed when files are (re)validated, not on a cache hit.
    from pydantic import ValidationError

    from clearance.kb.schema import LicenseFile

    try:
        lic = LicenseFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "-"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise KBError(name, loc, f"{err['msg']}{more}") from None
    for field_name, message in lic.field_problems():
        raise KBError(name, field_name, message)
    if path.stem != lic.id:
        raise KBError(name, "id", f"id {lic.id!r} must match the file name {path.stem!r}")
    return lic


def to_terms(lic: LicenseFile, superseded_by: str | None = None, line: str | None = None,
             agreement: str | None = None) -> LicenseTerms:
    values: dict[str, object] = {}
    evidence: dict[str, Evidence] = {}
    text_url = str(lic.sources["text"])
    for name in TERM_NAMES:
        term = getattr(lic.terms, name)
        if term is None:
            values[name] = ABSENT[name]
            evidence[name] = Evidence(url=text_url, section="not stated in the license", stated=False,
                                      when=DUTY_TRIGGERS.get(name, ()))
            continue
        value = term.value
        if name == "excluded_territories":
            value = tuple(Territory(t.territory, t.applies_to) for t in value)
        elif isinstance(value, list):
            value = tuple(value)
        elif name == "acceptable_use_policy" and value is not None:
            value = str(value)  # pydantic's HttpUrl -> plain string in the runtime value
        values[name] = value
        when = tuple(term.when) if term.when is not None else DUTY_TRIGGERS.get(name, ())
        evidence[name] = Evidence(url=str(lic.sources[term.source]), section=term.section, stated=True, note=term.note,
                                  anchor=term.anchor, when=when)
    return LicenseTerms(
        id=lic.id, name=lic.name, category=lic.category, curated=True, summary=lic.summary,
        version=lic.version, date=lic.date, family=lic.family, supersedes=lic.supersedes,
        superseded_by=superseded_by, spdx_id=lic.spdx_id, scancode_key=lic.scancode_key,
        hub_id=lic.hub_id, aliases=tuple(lic.aliases), link_patterns=tuple(lic.link_patterns),
        text_url=text_url, evidence=evidence, reviewed=lic.reviewed, line=line or lic.id,
        agreement=agreement or lic.id, **values,  # type: ignore[arg-type]
    )


class PackedLicenses(Mapping[str, LicenseTerms]):
    """Licenses by id, each kept pickled until first read: the compiled cache's form. A check
    reads a handful of the KB's licenses, and unpickling all of them cost a cold process ~10 ms."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed
        self._terms: dict[str, LicenseTerms] = {}

    @classmethod
    def pack(cls, licenses: Mapping[str, LicenseTerms]) -> PackedLicenses:
        import pickle

        return cls({k: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for k, v in licenses.items()})

    def __getitem__(self, key: str) -> LicenseTerms:
        lic = self._terms.get(key)
        if lic is None:
            import pickle

            lic = self._terms[key] = pickle.loads(self._packed[key])
        return lic

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __reduce__(self):
        return (PackedLicenses, (self._packed,))


@record
class KnowledgeBase:
    """Curated licenses by id, with an alias index; the long tail is looked up lazily."""

    licenses: Mapping[str, LicenseTerms]
    _exact: dict[str, str] = field(default_factory=dict)
    _loose: dict[str, str] = field(default_factory=dict)
    # editions() by license id, each chain walked once per KB (the normalizer and every check ask)
    _editions: dict[str, tuple[LicenseTerms, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __iter__(self) -> Iterator[LicenseTerms]:
        return iter(self.licenses.values())

    def __len__(self) -> int:
        return len(self.licenses)

    def get(self, license_id: str) -> LicenseTerms | None:
        """A curated license by id, else a long-tail one by ScanCode key or SPDX id."""
        lic = self.licenses.get(license_id)
        if lic is not None:
            return lic
        from clearance.kb import longtail  # the long tail loads its index only when asked

        return longtail.terms_for(license_id)

    def lookup(self, value: str) -> tuple[str, str] | None:
        """(id, how) for an id or alias of a curated license: how is 'exact' or 'loose'."""
        hit = self._exact.get(exact_key(value))
        if hit:
            return hit, "exact"
        key = loose_key(value)
        if key and key in self._loose:
            return self._loose[key], "loose"
        return None

    def family(self, name: str) -> list[LicenseTerms]:
        """The versions of one license family, oldest first (undated versions last)."""
        members = [lic for lic in self if lic.family == name]
        return sorted(members, key=lambda lic: (lic.date is None, lic.date or dt.date.max))

    def editions(self, license_id: str) -> tuple[LicenseTerms, ...]:
        """The dated editions a license id stands for, newest first: itself and the older
        versions without a Hub id of their own (see version_in_force). One item when it has none."""
        found = self._editions.get(license_id)
        if found is None:
            found = self._editions[license_id] = self._walk_editions(license_id)
        return found

    def _walk_editions(self, license_id: str) -> tuple[LicenseTerms, ...]:
        lic = self.licenses.get(license_id)
        if lic is None:
            return ()
        chain = [lic]
        while chain[-1].supersedes and chain[-1].supersedes in self.licenses and len(chain) <= len(self.licenses):
            previous = self.licenses[chain[-1].supersedes]
            if previous.hub_id:
                break
            chain.append(previous)
        return tuple(chain)

    def version_in_force(self, license_id: str, as_of: dt.date) -> LicenseTerms | None:
        """The version of `license_id` that was in force on `as_of`.

        Walks back the `supersedes` chain through versions that have no Hub id of their own:
        the Hub's `gemma` covers every Gemma Terms of Use version, while `llama3.1` and
        `llama3` are distinct agreements for distinct models and never stand for each other.
        """
        chain = self.editions(license_id)
        if not chain:
            return None
        for candidate in chain:
            if candidate.date is None or candidate.date <= as_of:
                return candidate
        return chain[-1]


def _index(kb: KnowledgeBase, files: dict[str, str]) -> None:
    owners_exact: dict[str, str] = {}
    owners_loose: dict[str, str] = {}
    for lic in kb:
        names = [lic.id, *lic.aliases]
        names += [n for n in (lic.spdx_id, lic.scancode_key) if n]
        for n in names:
            ek, lk = exact_key(n), loose_key(n)
            other = owners_exact.get(ek)
            if other and other != lic.id:
                raise KBError(files[lic.id], "aliases", f"{n!r} is already an alias of {other!r}")
            owners_exact[ek] = lic.id
            other = owners_loose.get(lk)
            if other and other != lic.id and lk:
                raise KBError(
                    files[lic.id], "aliases",
                    f"{n!r} reads the same as an alias of {other!r} once punctuation is ignored",
                )
            if lk:
                owners_loose[lk] = lic.id
    kb._exact, kb._loose = owners_exact, owners_loose


def load(paths: Iterable[Path] | None = None) -> KnowledgeBase:
    """Parse, validate and index KB files (the bundled ones by default)."""
    if paths is None:
        paths = sorted(default_dir().glob("*.yaml"))
    parsed: dict[str, LicenseFile] = {}
    files: dict[str, str] = {}
    for path in paths:
        lic = parse_file(Path(path))
        if lic.id in parsed:
            raise KBError(path.name, "id", f"{lic.id!r} is also defined in {files[lic.id]}")
        parsed[lic.id], files[lic.id] = lic, Path(path).name
    successor: dict[str, str] = {}
    for lic in parsed.values():
        if lic.supersedes:
            if lic.supersedes not in parsed:
                raise KBError(files[lic.id], "supersedes", f"{lic.supersedes!r} is not a KB license id")
            if lic.supersedes in successor:
                raise KBError(files[lic.id], "supersedes", f"{lic.supersedes!r} is already superseded by {successor[lic.supersedes]!r}")
            successor[lic.supersedes] = lic.id
    _check_no_cycles(parsed, files)
    kb = KnowledgeBase({lid: to_terms(lic, successor.get(lid), _newest(lid, successor), _agreement(lid, parsed, successor))
                        for lid, lic in parsed.items()})
    _index(kb, files)
    return kb


def _newest(license_id: str, successor: dict[str, str]) -> str:
    while license_id in successor:  # the chain has no cycles: checked before
        license_id = successor[license_id]
    return license_id


def _agreement(license_id: str, parsed: dict[str, LicenseFile], successor: dict[str, str]) -> str:
    """The nearest edition, itself included, that has a Hub id; else the newest."""
    cur = license_id
    while not parsed[cur].hub_id and cur in successor:
        cur = successor[cur]
    return cur


def _check_no_cycles(parsed: dict[str, LicenseFile], files: dict[str, str]) -> None:
    for start in parsed:
        seen, cur = set(), start
        while cur in parsed and parsed[cur].supersedes:
            if cur in seen:
                raise KBError(files[start], "supersedes", "the supersedes chain loops")
            seen.add(cur)
            cur = parsed[cur].supersedes  # type: ignore[assignment]


@functools.lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    """The bundled knowledge base, loaded once per process, from the compiled cache when
    it is current (the files are validated whenever they change)."""
    from clearance.kb.cache import INSTALLS, cached

    paths = sorted(default_dir().glob("*.yaml"))

    def build() -> KnowledgeBase:
        kb = load(paths)
        return KnowledgeBase(PackedLicenses.pack(kb.licenses), kb._exact, kb._loose)

    return cached(paths, build, keep=INSTALLS)
