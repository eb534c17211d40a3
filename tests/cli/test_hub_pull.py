"""`clearance hub pull` against the fake listing Hub of tests/hubpull (fakehub.py): progress on
stderr, the snapshot written and updated, one error line and exit 2 on a problem, and the
analytics counting only the models the Hub still lists."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from clearance.cli import app
from tests.hubpull.fakehub import FakeHub, model_id

runner = CliRunner()


@pytest.fixture
def hub(monkeypatch, tmp_path):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    with FakeHub(2_500, 300, page_size=1000) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        yield fake


def pull(*args: str):
    return runner.invoke(app, ["hub", "pull", *args])


def test_pull_writes_the_snapshot_with_progress_on_stderr(hub, tmp_path):
    out = tmp_path / "hub.parquet"
    res = pull(str(out), "--kind", "both")
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert lines[:3] == [line for line in lines if line.startswith("models: page ")][:3]
    assert lines[0].startswith("models: page 1, 1,000 rows, ") and "rows/s" in lines[0]
    assert any(line.startswith("models: page 3, 2,500 rows") for line in lines)
    assert any(line.startswith("datasets: page 1, 300 rows") for line in lines)
    assert lines[-1].startswith(f"wrote {out}: 2,800 rows (2,800 fetched, 0 kept); 4 pages")
    table = pq.read_table(out)
    assert table.num_rows == 2_800 and set(table.column("type").to_pylist()) == {"model", "dataset"}

    # The Hub drops a model: the next pull (incremental, from the file's own date) marks it, and
    # the analytics no longer count it.
    hub.delete("models", 7)
    again = pull(str(out), "--kind", "both")
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines()[-1].startswith(f"updated {out}: 2,800 rows (")
    assert "1 newly marked deleted" in again.stderr
    rows = pq.read_table(out, columns=["id", "deleted_at"]).to_pylist()
    assert [r["id"] for r in rows if r["deleted_at"]] == [model_id(7)]
    stats = runner.invoke(app, ["hub", "stats", str(out), "--format", "json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["models"] == 2_499


def test_a_failing_page_is_one_line_and_resume_goes_on(hub, tmp_path):
    out = tmp_path / "hub.parquet"
    hub.fail_always["models", 2] = 404
    res = pull(str(out))
    assert res.exit_code == 2
    errors = [line for line in res.stderr.splitlines() if not line.startswith("models: page")]
    assert len(errors) == 1 and errors[0].startswith("error: ") and "HTTP 404" in errors[0]
    assert "1,000 rows are saved" in errors[0] and "--resume" in errors[0] and "Traceback" not in res.output
    again = pull(str(out))  # without --resume, the interrupted pull is not thrown away
    assert again.exit_code == 2 and "--resume" in again.stderr
    del hub.fail_always["models", 2]
    resumed = pull(str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resumed" in resumed.stderr.splitlines()[-1]
    assert pq.read_table(out).num_rows == 2_500


def test_offline_stops_at_once_with_one_line(hub, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    n0 = len(hub.requests)
    res = pull(str(tmp_path / "hub.parquet"))
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.splitlines() == ["error: hub pull: HF_HUB_OFFLINE is set, and a pull reads the Hub: unset it to pull"]
    assert len(hub.requests) == n0 and not list(tmp_path.glob("hub.parquet*"))


@pytest.mark.parametrize("args, message", [
    (["--since", "last tuesday"], "--since 'last tuesday': expected a date"),
    (["--since", "2025-01-01", "--full"], "--since and --full"),
])
def test_bad_options_are_one_line(hub, tmp_path, args, message):
    res = pull(str(tmp_path / "hub.parquet"), *args)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and message in res.stderr


def test_since_a_date_after_every_change_fetches_nothing(hub, tmp_path):
    out = tmp_path / "hub.parquet"
    assert pull(str(out)).exit_code == 0
    res = pull(str(out), "--since", "2030-01-01T00:00:00Z")  # after every change: nothing fetched
    assert res.exit_code == 0, res.output
    assert "(0 fetched since 2030-01-01T00:00:00.000Z, 2,500 kept" in res.stderr
