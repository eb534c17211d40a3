"""Recall and precision of `clearance scan` on real public repositories, against truth built by hand.

    .venv/bin/python bench/bench_scan_recall.py --mirrors /work/.mirror [--cache DIR] [--show]
    .venv/bin/python bench/bench_scan_recall.py --git huggingface/open-r1=/path/to/repo.git ...

Each file in `bench/scan_truth/` names a repository, the commit the truth was read at, the
paths it covers (`scope`) and every Hub model or dataset that the files in scope reference:
id, kind, role (`used` or `produced`) and file. The truth was written by reading the files,
before the scanner ran on them; it holds no code from the repositories.

A repository is read from a bare git directory (the `fetch` tool's mirror, `owner+name/repo`
under `--mirrors`, or one given with `--git owner/name=GITDIR`), exported at the truth's commit
into `--cache` (kept between runs), and scanned whole; only references in files under the
scope are scored. The score is on distinct (id, file) pairs, as issue 15 measured it: recall is
the share of the truth's pairs the scan reports, precision the share of the scan's pairs that
are in the truth. Kind and role disagreements on matched pairs are counted apart.

Blobs a mirror lacks (large files it left out) and symbolic links are not exported; the count
is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from clearance.scan import scan_path

TRUTH_DIR = Path(__file__).resolve().parent / "scan_truth"


@dataclass
class Score:
    name: str
    truth: set[tuple[str, str]]
    found: set[tuple[str, str]]
    kind_wrong: list[str] = field(default_factory=list)
    role_wrong: list[str] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return len(self.truth & self.found)

    def recall(self) -> float:
        return self.hits / len(self.truth) if self.truth else 1.0

    def precision(self) -> float:
        return self.hits / len(self.found) if self.found else 1.0


def export(gitdir: str, commit: str, dest: Path) -> tuple[int, int]:
    """Write the tree of `commit` into `dest`, blob by blob: (files written, blobs missing)."""
    listing = subprocess.run(["git", f"--git-dir={gitdir}", "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode not in (b"120000", b"160000"):  # no symbolic links, no submodules
            entries.append((sha, path.decode("utf-8", "surrogateescape")))
    tmp = dest.with_name(dest.name + ".partial")
    written = missing = 0
    with subprocess.Popen(["git", f"--git-dir={gitdir}", "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        for sha, path in entries:
            proc.stdin.write(sha + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                missing += 1
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)
            out = tmp / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            written += 1
        proc.stdin.close()
    tmp.rename(dest)
    return written, missing


def gitdir_for(repo: str, given: dict[str, str], mirrors: list[str]) -> str | None:
    if repo in given:
        return given[repo]
    for folder in mirrors:
        candidate = os.path.join(folder, repo.replace("/", "+"), "repo")
        if os.path.isdir(candidate):
            return candidate
    return None


def in_scope(file: str, scope: list[str]) -> bool:
    return any(s == "." or file == s or (s.endswith("/") and file.startswith(s)) for s in scope)


def score(truth: dict, tree: Path) -> Score:
    scope = truth["scope"]
    report = scan_path(tree)
    expected = {(r["id"], r["file"]): r for r in truth["references"]}
    found: dict[tuple[str, str], list] = {}
    for ref in report.references:
        if in_scope(ref.file, scope):
            found.setdefault((ref.id, ref.file), []).append(ref)
    result = Score(truth["repo"], set(expected), set(found))
    for pair in result.truth & result.found:
        want, refs = expected[pair], found[pair]
        if want["kind"] not in {r.kind for r in refs}:
            result.kind_wrong.append(f"{pair[1]}: {pair[0]} is a {want['kind']}, scan says {refs[0].kind}")
        roles = {getattr(r, "role", "used") for r in refs}
        if want["role"] not in roles:
            result.role_wrong.append(f"{pair[1]}: {pair[0]} is {want['role']}, scan says {'/'.join(sorted(roles))}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", action="append", default=[], help="folder of owner+name/repo git dirs")
    parser.add_argument("--git", action="append", default=[], metavar="OWNER/NAME=GITDIR")
    parser.add_argument("--cache", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "clearance-scan-recall"))
    parser.add_argument("--only", action="append", default=[], help="truth file name (without .json)")
    parser.add_argument("--show", action="store_true", help="list every miss and false positive")
    args = parser.parse_args()
    given = dict(item.split("=", 1) for item in args.git)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    scores: list[Score] = []
    for path in sorted(TRUTH_DIR.glob("*.json")):
        if args.only and path.stem not in args.only:
            continue
        truth = json.loads(path.read_text())
        tree = cache / f"{path.stem}-{truth['commit'][:12]}"
        if not tree.is_dir():
            gitdir = gitdir_for(truth["repo"], given, args.mirrors)
            if gitdir is None:
                print(f"{truth['repo']}: no git directory (use --mirrors or --git); skipped", file=sys.stderr)
                continue
            written, missing = export(gitdir, truth["commit"], tree)
            print(f"{truth['repo']}: exported {written} files at {truth['commit'][:12]}"
                  + (f" ({missing} blobs absent from the mirror)" if missing else ""), file=sys.stderr)
        scores.append(score(truth, tree))
    if not scores:
        print("nothing scored", file=sys.stderr)
        return 2
    width = max(len(s.name) for s in scores)
    print(f"{'repository':<{width}}  {'truth':>5}  {'found':>5}  {'hits':>5}  {'recall':>7}  {'precision':>9}  kind/role wrong")
    for s in scores:
        print(f"{s.name:<{width}}  {len(s.truth):>5}  {len(s.found):>5}  {s.hits:>5}  {s.recall():>7.1%}  "
              f"{s.precision():>9.1%}  {len(s.kind_wrong)}/{len(s.role_wrong)}")
    total = Score("overall", {(s.name,) + p for s in scores for p in s.truth},  # type: ignore[misc]
                  {(s.name,) + p for s in scores for p in s.found})  # type: ignore[misc]
    print(f"{'overall':<{width}}  {len(total.truth):>5}  {len(total.found):>5}  {total.hits:>5}  {total.recall():>7.1%}  "
          f"{total.precision():>9.1%}  {sum(len(s.kind_wrong) for s in scores)}/{sum(len(s.role_wrong) for s in scores)}")
    if args.show:
        for s in scores:
            lines = [f"  missed   {f}: {i}" for i, f in sorted(s.truth - s.found, key=lambda p: (p[1], p[0]))]
            lines += [f"  extra    {f}: {i}" for i, f in sorted(s.found - s.truth, key=lambda p: (p[1], p[0]))]
            lines += [f"  kind     {w}" for w in s.kind_wrong] + [f"  role     {w}" for w in s.role_wrong]
            if lines:
                print(f"\n{s.name}")
                print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
