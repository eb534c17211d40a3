"""`python -m clearance.kb.validate [FILE...]`: check KB files against the schema and each other.

Besides the schema, it checks what only the whole KB can tell: unique ids and aliases,
`supersedes` chains, and that `scancode_key`/`spdx_id` name licenses ScanCode knows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from clearance.kb import longtail
from clearance.kb.loader import KBError, default_dir, load


def problems(paths: list[Path]) -> list[str]:
    try:
        kb = load(paths)
    except KBError as exc:
        return [str(exc)]
    out = []
    for lic in kb:
        if lic.scancode_key and longtail.entry_for(lic.scancode_key) is None:
            out.append(f"{lic.id}.yaml: scancode_key: {lic.scancode_key!r} is not in ScanCode's license index")
        if lic.spdx_id and longtail.entry_for(lic.spdx_id) is None:
            out.append(f"{lic.id}.yaml: spdx_id: {lic.spdx_id!r} is not a known SPDX id or LicenseRef-scancode id")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Always validate together with the bundled files, so alias clashes show up.
    paths = {p.resolve() for p in default_dir().glob("*.yaml")} | {Path(a).resolve() for a in args}
    found = problems(sorted(paths))
    for line in found:
        print(line)
    if not found:
        print(f"ok: {len(paths)} KB files valid")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
