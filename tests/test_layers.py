"""The layers hold: no package imports a package above it (.importlinter, checked by import-linter),
so the front ends, use cases, core, sources and values stay where docs/design.md says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contract_is_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    res = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def test_the_contract_would_catch_an_upward_import(tmp_path):
    # the same linter on a contract the code breaks (the core above the use cases) must fail
    bad = tmp_path / "bad.importlinter"
    bad.write_text("[importlinter]\nroot_package = clearance\n\n[importlinter:contract:x]\nname = inverted\n"
                   "type = layers\nlayers =\n    clearance.engine\n    clearance.usecases\n", encoding="utf-8")
    lint = Path(sys.executable).parent / "lint-imports"
    res = subprocess.run([str(lint), "--config", str(bad), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode != 0 and "clearance.usecases is not allowed to import clearance.engine" in res.stdout
