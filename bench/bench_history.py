"""`clearance.analytics.history.history` over a SYNTHETIC history of monthly snapshots, on DuckDB
and on Spark in local mode: wall time per phase and peak memory.

    flock /tmp/clearance-bench.lock .venv/bin/python bench/bench_history.py \
        [--models 100000] [--months 12] [--engines duckdb,spark] [--master local[2]] [--dir DIR]

The history wraps bench/synth_snapshot.py (not changed): one synthetic Hub of `--models`
models created up to 2025-06-30 is generated, then each model gets a life story, and each month
end's snapshot is what the Hub held that day:
  - models are created at the generator's rates, the Hub doubling every year from 2022 (an
    assumption: `--annual-growth 2`);
  - a model appears on its creation date; its downloads grow with its age (square root of the
    share of its life so far) up to the generated figure on the last day;
  - 1.2% of models a month are deleted (a deletion time drawn uniformly between creation and one
    month after the last snapshot, for 14.4% of the models);
  - 8% of models change their declared license once, at a uniform time after creation: before
    the change, a derivative (half of the time) declared its first parent's license, so a change to
    a label its lineage does not allow is a relabel; otherwise it declared nothing (40%: `added`)
    or the license of another model drawn at random (lateral, tighter or looser);
  - `lastModified` is the latest of creation and license change seen so far, so each snapshot is
    dated from its records as the real ones are.
The rates are assumptions (no public figure of the Hub's monthly churn), set to give every
kind of change in every month. Say "synthetic" wherever a figure comes from this output.

Each engine runs in a fresh subprocess that reports its phases and peak RSS (VmHWM, read from
/proc; for Spark also the JVM's, the two summed as an upper bound of the pair's peak).

`--sizes` measures no time: the rows of each table per model row, the closure's levels, and the
facts' size as Parquet (what Spark is handed), for docs/scale.md's arithmetic.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

END = "2025-06-30"
DELETE_SHARE, CHANGE_SHARE = 0.144, 0.08
# The generator extrapolates its fitted 2020-2022 growth (several-fold a year); the Hub roughly
# doubled a year from 2023 to 2025 (about 0.5M to 1.8M models), which this history assumes.
ANNUAL_GROWTH = 2.0
LAST_KEPT = 0.886  # the share of generated models the last snapshot holds (measured)
DAY = 86_400_000


def month_ends(months: int, end: str = END) -> list[np.datetime64]:
    last = np.datetime64(end, "M")
    return [(last - k + 1).astype("datetime64[D]") - 1 for k in range(months - 1, -1, -1)]


def generate(models: int, months: int, seed: int, out: Path) -> list[Path]:
    """The monthly snapshots (Parquet) of a synthetic Hub, in `out`; reused when already there."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq
    import synth_snapshot as synth

    out.mkdir(parents=True, exist_ok=True)
    ends = month_ends(months)
    paths = [out / f"hub-{str(e)[:7]}.parquet" for e in ends]
    stamp = out / "history.json"
    spec = {"models": models, "months": months, "seed": seed}
    if stamp.is_file() and json.loads(stamp.read_text()) == spec and all(p.is_file() for p in paths):
        return paths
    t0 = time.perf_counter()
    # enough models that the last snapshot holds about `models` once the deleted ones are gone
    plan = synth.Plan(synth.load_params(), round(models / LAST_KEPT), seed, 0.4, "2019-01-01", END, ANNUAL_GROWTH, True)
    full = out / "full.parquet"
    synth.write(plan, full, "parquet", 100_000)
    rng = np.random.default_rng(seed + 1)
    n = plan.n
    created = plan.created
    last_ms = int(np.datetime64(END, "ms").astype(np.int64)) + DAY - 1
    # deletions: uniform between creation and a month after the last snapshot
    deleted = np.where(rng.random(n) < DELETE_SHARE,
                       created + (rng.random(n) * (last_ms + 30 * DAY - created)).astype(np.int64), -1)
    # one license change: uniform between creation and the last day
    changes = rng.random(n) < CHANGE_SHARE
    change_at = np.where(changes, created + (rng.random(n) * (last_ms - created)).astype(np.int64), -1)
    first_parent = plan.parents[:, 0]
    other = rng.integers(0, n, size=n)
    kind = rng.random(n)
    before = np.where((first_parent >= 0) & (kind < 0.5), plan.license[np.maximum(first_parent, 0)],
                      np.where(kind < 0.7, -1, plan.license[other]))
    vocab = plan.params.license_vocab
    ids = pq.read_table(full, columns=["id", "type"]).to_pydict()
    model_ids = [i for i, t in zip(ids["id"], ids["type"]) if t == "model"]
    story = pa.table({
        "id": model_ids, "deleted_ms": deleted,
        "change_ms": change_at,
        "before_license": [vocab[c] if c >= 0 else None for c in before.tolist()],
        "created_ms": created,
    })
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.register("story", story)
    f = str(full).replace("'", "''")
    for end, path in zip(ends, paths):
        t_ms = int(end.astype("datetime64[ms]").astype(np.int64)) + DAY - 1
        # Before its change a model's card and tags carry the old license (none: no license at all).
        con.execute(f"""
            copy (
                with s as (
                    select f.*, st.created_ms, st.deleted_ms, st.change_ms, st.before_license,
                           st.change_ms >= 0 and st.change_ms > {t_ms} as old
                    from read_parquet('{f}') f left join story st on st.id = f.id
                )
                select type, id, author, createdAt,
                       case when type <> 'model' then lastModified
                            else strftime(make_timestamp(1000 * greatest(created_ms, least(epoch_ms(lastModified::timestamp),
                                     {t_ms}), case when change_ms >= 0 and change_ms <= {t_ms} then change_ms else 0 end)),
                                     '%Y-%m-%dT%H:%M:%S.000Z') end as lastModified,
                       case when type <> 'model' then downloads
                            else cast(round(downloads * sqrt(({t_ms} - created_ms) / greatest(1, {last_ms} - created_ms)))
                                      as bigint) end as downloads,
                       likes, pipeline_tag, library_name,
                       case when old then list_filter(tags, lambda x: not starts_with(x, 'license:'))
                                          || case when before_license is null then [] else ['license:' || before_license] end
                            else tags end as tags,
                       case when old then json_merge_patch(coalesce(cardData, '{{}}'),
                                              json_object('license', before_license, 'license_name', null,
                                                          'license_link', null))::varchar
                            else cardData end as cardData
                from s
                where type <> 'model' or (created_ms <= {t_ms} and (deleted_ms < 0 or deleted_ms > {t_ms}))
            ) to '{str(path).replace("'", "''")}' (format parquet, compression zstd)
        """)
    full.unlink()
    stamp.write_text(json.dumps(spec))
    print(f"generated {months} SYNTHETIC monthly snapshots from {models:,} models in {time.perf_counter() - t0:.1f} s "
          f"-> {out}", flush=True)
    return paths


WORKER = r"""
import json, os, sys, time
from pathlib import Path
engine, master, paths = sys.argv[1], sys.argv[2], [Path(p) for p in sys.argv[3:]]
t0 = time.perf_counter()
from clearance.analytics.history import facts, run, _result
from clearance.analytics.engines import DuckDBEngine, SparkEngine
from clearance.engine.values import Organization
from clearance.kb.loader import default_kb
from clearance.kb.normalizer import default_normalizer
phases = {}
con, spill = facts.connect()
t = time.perf_counter()
dated, _ = facts.build(con, paths, None, default_kb(), default_normalizer(), Organization())  # each read once, dated as read
phases["load (DuckDB)"] = time.perf_counter() - t
rows = con.execute("select count(*) from h_model").fetchone()[0]
jvm = None
if engine == "duckdb":
    t = time.perf_counter()
    raw = run(DuckDBEngine(con), default_kb())
    phases["analytics"] = time.perf_counter() - t
else:
    import tempfile
    t = time.perf_counter()
    spark = SparkEngine(master)
    phases["spark start"] = time.perf_counter() - t
    t = time.perf_counter()
    hand_off = tempfile.TemporaryDirectory(prefix="bench-history-")
    tmp = hand_off.name
    spark.take_from_duckdb(con, {name: name for name in facts.FACTS}, tmp)
    phases["hand-off (Parquet)"] = time.perf_counter() - t
    t = time.perf_counter()
    raw = run(spark, default_kb())
    phases["analytics"] = time.perf_counter() - t
    me = str(os.getpid())
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1] == me:
                if "java" in open(f"/proc/{p}/cmdline").read():
                    jvm = [int(l.split()[1]) * 1024 for l in open(f"/proc/{p}/status") if l.startswith("VmHWM:")][0]
        except OSError:
            pass
    spark.close()
    hand_off.cleanup()
result = _result(raw, dated, engine, [])
hwm = [int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(json.dumps({"phases": phases, "total": time.perf_counter() - t0, "rows": rows, "hwm": hwm, "jvm_hwm": jvm,
                  "summary": result.rows()}, default=str))
"""


def sizes(paths: list[Path]) -> None:
    """The history's tables for `paths`, counted (DuckDB): rows per model row, the closure's
    frontier at each level, and each input table's size written as Parquet."""
    import tempfile

    from clearance.analytics import propagate
    from clearance.analytics.engines import DuckDBEngine
    from clearance.analytics.history import derive, facts, queries
    from clearance.engine.values import Organization
    from clearance.kb.loader import default_kb
    from clearance.kb.normalizer import default_normalizer

    con, spill = facts.connect()
    facts.build(con, paths, None, default_kb(), default_normalizer(), Organization())
    engine = DuckDBEngine(con)
    propagate.build_closure(engine, table="h_closure", edges="h_edge", by=queries.CLOSURE_BY)  # as history.run
    # the rows each level added: the frontier at each level
    frontier = [r["n"] for r in engine.rows("select depth, count(*) as n from h_closure group by depth order by depth")]
    derive(engine, default_kb())
    models = con.execute("select count(*) from h_model").fetchone()[0]
    print(f"{models:,} model rows; closure: {len(frontier)} levels, frontier rows {frontier}")
    handed = 0
    with tempfile.TemporaryDirectory(prefix="bench-history-sizes-") as tmp:
        for t in [*facts.FACTS, "h_closure", "h_inherited", "h_conflict", "h_per_model", "h_both"]:
            target = Path(tmp) / f"{t}.parquet"
            con.execute(f"copy {t} to '{target}' (format parquet)")
            n = con.execute(f"select count(*) from {t}").fetchone()[0]
            size = target.stat().st_size
            handed += size if t in facts.FACTS else 0
            print(f"  {t}: {n:,} rows ({n / models:.3f} per model row), {size / 2**20:.1f} MiB as Parquet")
    print(f"facts handed to Spark: {handed / 2**20:.1f} MiB, {handed / models:.1f} bytes per model row")
    con.close()
    if spill is not None:
        spill.cleanup()


def measure(engine: str, master: str, paths: list[Path]) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WORKER, engine, master, *map(str, paths)], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"{engine} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    report = json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])
    report["wall"] = wall
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100_000,
                    help="about the models of the last snapshot (more are generated: some are deleted before it)")
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--dir", type=Path, default=None, help="where the snapshots go (default /tmp/clearance-history-N)")
    ap.add_argument("--sizes", action="store_true", help="count the tables' rows and sizes instead of timing the engines")
    args = ap.parse_args(argv)
    out = args.dir or Path(f"/tmp/clearance-history-{args.models}")
    paths = generate(args.models, args.months, args.seed, out)
    total = sum(p.stat().st_size for p in paths)
    print(f"SYNTHETIC history: {len(paths)} monthly snapshots, {total / 2**20:.0f} MiB of Parquet ({out})")
    if args.sizes:
        sys.path.insert(0, str(ROOT / "src"))
        sizes(paths)
        return 0
    summary_printed = None
    for engine in args.engines.split(","):
        r = measure(engine, args.master, paths)
        mem = f"peak RSS {r['hwm'] / 2**20:,.0f} MiB"
        if r["jvm_hwm"]:
            mem += f" (Python) + {r['jvm_hwm'] / 2**20:,.0f} MiB (JVM) = {(r['hwm'] + r['jvm_hwm']) / 2**20:,.0f} MiB"
        label = engine + (f" {args.master}" if engine == "spark" else "")
        print(f"{label}: {r['rows']:,} model rows; wall {r['wall']:.1f} s (in process {r['total']:.1f} s: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in r["phases"].items()) + f"); {mem}", flush=True)
        if summary_printed is None:
            summary_printed = r["summary"]
            for row in r["summary"]:
                print("  " + ", ".join(f"{k}={v}" for k, v in row.items() if k not in ("snapshot", "dated_by")))
        elif r["summary"] != summary_printed:
            print("  !! the summary differs from the first engine's")
        else:
            print("  same summary as the first engine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
