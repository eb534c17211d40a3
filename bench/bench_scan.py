"""Benchmark: `clearance scan` on a large real Python tree, against a baseline that only reads
the bytes of the same files, in the same run.

    .venv/bin/python bench/bench_scan.py [--repeat 3] [PATH]

PATH defaults to the installed `transformers` package (site-packages/transformers) when there
is one, else the whole site-packages of this interpreter (a site-packages tree can be scanned
directly: folders are skipped by their names *under* the root, never the root itself). The files
are read once before timing, so both runs find them in the page cache; each timing is the best
of `--repeat` runs. The baseline reads exactly the files the scan reads (same walk, same size
limit), so the ratio is the price of finding references over the price of opening the files.
"""

from __future__ import annotations

import argparse
import collections
import sys
import sysconfig
from pathlib import Path

from timing import best_of  # bench/timing.py: the benches' one timer

from clearance.scan import scan_path
from clearance.scan.walk import MAX_FILE_BYTES, walk


def default_target() -> Path:
    site = Path(sysconfig.get_paths()["purelib"])
    return site / "transformers" if (site / "transformers").is_dir() else site


def baseline(root: Path) -> tuple[int, int]:
    """Walk the tree as the scan does and read every file's bytes: (files, bytes)."""
    files = size = 0
    for entry in walk(str(root), []):
        if entry.size > MAX_FILE_BYTES:
            continue
        with open(entry.path, "rb") as fh:
            size += len(fh.read())
        files += 1
    return files, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    root = args.path or default_target()
    if not root.exists():
        print(f"{root}: no such folder", file=sys.stderr)
        return 2
    baseline(root)  # warm the page cache
    base_s, (base_files, base_bytes) = best_of(lambda: baseline(root), args.repeat)
    scan_s, report = best_of(lambda: scan_path(root), args.repeat)
    kinds = collections.Counter(r.kind for r in report.references)
    by_type = collections.Counter(Path(r.file).suffix or Path(r.file).name for r in report.references)
    print(f"target:    {root}")
    print(f"files:     {report.files_scanned} scanned ({base_bytes / 1e6:.1f} MB), {len(report.warnings)} warnings")
    print(f"found:     {len(report.references)} references ({kinds.get('model', 0)} model, {kinds.get('dataset', 0)} dataset);"
          f" by file type: {dict(by_type.most_common(6))}")
    print(f"scan:      {scan_s:.2f} s, {report.files_scanned / scan_s:,.0f} files/s, {base_bytes / 1e6 / scan_s:.1f} MB/s")
    print(f"baseline:  {base_s:.2f} s, {base_files / base_s:,.0f} files/s (walk and read the same files' bytes)")
    print(f"ratio:     scan takes x{scan_s / base_s:.1f} the time of reading the files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
