"""`added_lines` on temporary git repositories, and `scan_path(only_lines=...)` fed by it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clearance.scan import ScanError, added_lines, scan_path
from clearance.scan.diff import parse_diff

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]


def git(root: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture()
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "app.py").write_text('from transformers import AutoModel\nBASE = "acme/old"\nm = AutoModel.from_pretrained(BASE)\n')
    (root / "config.yaml").write_text("model: acme/old-config\nlr: 1\n")
    (root / "gone.yaml").write_text("model: acme/deleted\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    return root


def test_added_lines_of_changed_new_staged_and_untracked_files(repo):
    (repo / "app.py").write_text(
        'from transformers import AutoModel\nBASE = "acme/old"\nm = AutoModel.from_pretrained(BASE)\n'
        'n = AutoModel.from_pretrained("acme/new")\n++ b/notaheader\n')  # diff shows "+++ b/..."
    (repo / "config.yaml").write_text("model: acme/changed-config\nlr: 1\n")
    (repo / "gone.yaml").unlink()
    (repo / "staged.env").write_text("MODEL_ID=acme/staged\n")
    git(repo, "add", "staged.env")
    (repo / "sub").mkdir()
    (repo / "sub" / "untracked.sh").write_text("echo hi\nhf download acme/untracked\n")
    (repo / ".gitignore").write_text("ignored.py\n")
    (repo / "ignored.py").write_text('AutoModel.from_pretrained("acme/ignored")\n')
    lines = added_lines(repo, "HEAD")
    assert lines == {"app.py": {4, 5}, "config.yaml": {1}, "staged.env": {1}, "sub/untracked.sh": {1, 2}}
    report = scan_path(repo, only_lines=lines)
    assert [(r.id, r.file, r.line) for r in report.references] == [
        ("acme/new", "app.py", 4), ("acme/changed-config", "config.yaml", 1), ("acme/staged", "staged.env", 1),
        ("acme/untracked", "sub/untracked.sh", 2)]


def test_a_new_use_of_an_old_constant_counts(repo):
    text = (repo / "app.py").read_text() + "\n\nt = AutoModel.from_pretrained(BASE)\n"
    (repo / "app.py").write_text(text)
    lines = added_lines(repo, "HEAD")
    assert lines == {"app.py": {4, 5, 6}}
    report = scan_path(repo, only_lines=lines)
    assert [(r.id, r.line) for r in report.references] == [("acme/old", 2)]


def test_revisions_and_subfolders(repo):
    git(repo, "tag", "v1")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "m.py").write_text('from datasets import load_dataset\nload_dataset("acme/data")\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    assert added_lines(repo, "v1") == {"pkg/m.py": {1, 2}}
    assert added_lines(repo, "HEAD~1") == {"pkg/m.py": {1, 2}}
    assert added_lines(repo, "HEAD") == {}
    # a root inside the repository: paths relative to it, files outside it left out
    (repo / "config.yaml").write_text("model: acme/outside-subfolder\n")
    assert added_lines(repo / "pkg", "v1") == {"m.py": {1, 2}}
    report = scan_path(repo / "pkg", only_lines=added_lines(repo / "pkg", "v1"))
    assert [(r.id, r.kind, r.file) for r in report.references] == [("acme/data", "dataset", "m.py")]


def test_unknown_revision_and_non_repository_are_scan_errors(repo, tmp_path):
    with pytest.raises(ScanError, match="unknown git revision 'no-such-rev'"):
        added_lines(repo, "no-such-rev")
    with pytest.raises(ScanError, match="not a git revision"):
        added_lines(repo, "--output=/tmp/x")
    with pytest.raises(ScanError, match="not a git revision"):
        added_lines(repo, "")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ScanError, match="not inside a git working tree"):
        added_lines(plain, "HEAD")
    with pytest.raises(ScanError, match="no such folder"):
        added_lines(tmp_path / "missing", "HEAD")


def test_parse_diff_reads_hunks_by_their_counts():
    out = (b'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,0 +2,2 @@\n+a\n+++ b/evil\n'
           b'@@ -5 +7 @@\n-old\n+new\n\\ No newline at end of file\n'
           b'diff --git a/"q\\tx.py" b/"q\\tx.py"\n--- a/"q\\tx.py"\n+++ "b/q\\tx.py"\n@@ -0,0 +1 @@\n+z\n'
           b'diff --git a/d.py b/d.py\n--- a/d.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n')
    assert parse_diff(out) == {"x.py": {2, 3, 7}, "q\tx.py": {1}}
