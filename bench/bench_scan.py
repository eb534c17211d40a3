"""Benchmark: `clearance scan` on a large real Python tree, against a baseline that only reads
the bytes of the same files, in the same run.

    .venv/bin/python bench/bench_scan.py [--repeat 3] [--without-js] [PATH ...]

PATH defaults to the installed `transformers` package (site-packages/transformers) when there
is one, else the whole site-packages of this interpreter (a site-packages tree can be scanned
directly: folders are skipped by their names *under* the root, never the root itself). Several
PATHs are scanned one after the other and timed together. The files are read once before
timing, so every run finds them in the page cache; each timing is the best of `--repeat` runs.
The baseline reads exactly the files the scan reads (same walk, same size limit), so the ratio
is the price of finding references over the price of opening the files.

`--without-js` also times the scan of the same trees with the JavaScript/TypeScript file types
(those `walk` gives to the JS/TS readers: `.js .ts .tsx .vue .svelte`...) taken out of the walk,
as the scanner was before it read them, and prints what reading JS/TS costs as a ratio of the
two scans' times in this run.
"""

from __future__ import annotations

import argparse
import collections
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from timing import best_of  # bench/timing.py: the benches' one timer

from clearance.scan import scan_path
from clearance.scan.walk import _SUFFIXES as WALK_SUFFIXES  # the walk's own table, changed in place below
from clearance.scan.walk import MAX_FILE_BYTES, walk

JS_TYPES = ("javascript", "script-parts")  # walk's file types read by scan/jsfile.py


def default_target() -> Path:
    site = Path(sysconfig.get_paths()["purelib"])
    return site / "transformers" if (site / "transformers").is_dir() else site


def baseline(roots: list[Path]) -> tuple[int, int]:
    """Walk the trees as the scan does and read every file's bytes: (files, bytes)."""
    files = size = 0
    for root in roots:
        for entry in walk(str(root), []):
            if entry.size > MAX_FILE_BYTES:
                continue
            with open(entry.path, "rb") as fh:
                size += len(fh.read())
            files += 1
    return files, size


def js_bytes(roots: list[Path]) -> int:
    """The bytes of the files under `roots` the JS/TS readers read."""
    return sum(e.size for root in roots for e in walk(str(root), [])
               if e.type in JS_TYPES and e.size <= MAX_FILE_BYTES)


def scan_all(roots: list[Path]) -> tuple[int, list, list]:
    """Scan every root: (files scanned, references, warnings)."""
    files, references, warnings = 0, [], []
    for root in roots:
        report = scan_path(root)
        files += report.files_scanned
        references.extend(report.references)
        warnings.extend(report.warnings)
    return files, references, warnings


@contextmanager
def without_js() -> Iterator[None]:
    """The walk as it was before the scanner read JS/TS: their suffixes out of its table."""
    table = WALK_SUFFIXES
    taken = {suffix: kind for suffix, kind in table.items() if kind in JS_TYPES}
    for suffix in taken:
        del table[suffix]
    try:
        yield
    finally:
        table.update(taken)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--without-js", action="store_true",
                        help="also scan with the JS/TS file types out of the walk and print the ratio")
    args = parser.parse_args(argv)
    roots = args.paths or [default_target()]
    for root in roots:
        if not root.exists():
            print(f"{root}: no such folder", file=sys.stderr)
            return 2
    baseline(roots)  # warm the page cache
    base_s, (base_files, base_bytes) = best_of(lambda: baseline(roots), args.repeat)
    scan_s, (files, references, warnings) = best_of(lambda: scan_all(roots), args.repeat)
    kinds = collections.Counter(r.kind for r in references)
    by_type = collections.Counter(Path(r.file).suffix or Path(r.file).name for r in references)
    print(f"target:    {', '.join(map(str, roots))}")
    print(f"files:     {files} scanned ({base_bytes / 1e6:.1f} MB), {len(warnings)} warnings")
    print(f"found:     {len(references)} references ({kinds.get('model', 0)} model, {kinds.get('dataset', 0)} dataset);"
          f" by file type: {dict(by_type.most_common(6))}")
    print(f"scan:      {scan_s:.2f} s, {files / scan_s:,.0f} files/s, {base_bytes / 1e6 / scan_s:.1f} MB/s")
    print(f"baseline:  {base_s:.2f} s, {base_files / base_s:,.0f} files/s (walk and read the same files' bytes)")
    print(f"ratio:     scan takes x{scan_s / base_s:.1f} the time of reading the files")
    if args.without_js:
        with without_js():
            plain_s, (plain_files, plain_refs, _) = best_of(lambda: scan_all(roots), args.repeat)
        print(f"no JS/TS:  {plain_s:.2f} s, {plain_files} files scanned, {len(plain_refs)} references"
              f" (JS/TS files out of the walk: {files - plain_files} files, {js_bytes(roots) / 1e6:.1f} MB)")
        print(f"JS/TS:     the scan takes x{scan_s / plain_s:.2f} the time of the scan without JS/TS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
