"""Generate a SYNTHETIC Hugging Face Hub snapshot (Parquet or JSON Lines) for scale benchmarks.

    .venv/bin/python bench/synth_snapshot.py --models 100000 --out /tmp/synth-100k.parquet \
        [--seed 0] [--format parquet|jsonl] [--derivative-share 0.4] [--refit]

Every record is made up; only the distributions are fitted to the real files in
../shared/data/ (see its README.md). Say "synthetic" wherever a figure comes from this output.
The output follows DESIGN.md's snapshot contract: columns `type`, `id`, `author`, `createdAt`,
`lastModified`, `downloads`, `likes`, `pipeline_tag`, `library_name`, `tags` (list of strings,
with `license:`, `base_model:`, `base_model:<relation>:` and `dataset:` entries as the Hub writes
them) and `cardData` (a JSON string in Parquet, an object in JSON Lines). The rows referenced by
`dataset:` tags come first (`type` = dataset, real dataset ids with their licenses), then the
models in creation order, so every parent comes before its children.

Fitted parameters live in bench/synth_params.json next to this script; `--refit` recomputes them
from the shared data (`--data DIR`). Where each one comes from (paths under ../shared/data/):

  license_periods       declared-license mix of ROOT models and their undeclared share, per creation
                        period. "pre-2022": hub-2022-02.jsonl (`license:` tags of the Feb 2022 model
                        list). "2022": hub-2025-sample.jsonl has only 6 models from 2022, so its mix is
                        hub-license-counts-2022-2023/output/general/27_09_2022.csv minus the Feb 2022
                        counts (licenses declared between the dump and 2022-09-27), and its undeclared
                        share is 1 - (those) / (models created in that window, from
                        model-creation-2018-2022.parquet). "2023", "2024", "2025" and every quarter with
                        at least 100 models: hub-2025-sample.jsonl (`createdAt`, `license:` tags); a
                        thinner quarter uses its year. NB the 2025 sample is made of family trees, so
                        its mix is that of models in big lineage families, not of the whole Hub.
  derivative_license    P(a derivative's `license:` | its family root's `license:`), "none" included,
                        relabels such as mit / apache-2.0 under llama2 / gemma roots kept (they are real
                        conflicts): hub-2025-sample.jsonl, walking `cardData.base_model` up to the root
                        inside the file. Root licenses seen under fewer than 20 children fall back to
                        "same as the root".
  relations             relation mix among derivative EDGES (finetuned / quantized / merged / adapter =>
                        finetune / quantized / merge / adapter), the share of merges naming 3 rather
                        than 2 parents (3 stands for "3 or more"), the share of edges whose parent is
                        the family root, and the name suffixes of quantized models (GGUF, GPTQ, AWQ,
                        EXL2, MLX, bnb-4bit, none): lineage-edges-2025-06.csv.
  family_sizes          number of descendants per root (roots = sources that are never targets,
                        descendants counted transitively): lineage-edges-2025-06.csv (LLMs only).
  growth                models created per month 2019-01..2022-09, and a log-linear fit of the last 24
                        months used to extrapolate to the end date: model-creation-2018-2022.parquet.
  downloads             empirical quantiles of `downloads`: model-creation-2018-2022.parquet.
  likes                 empirical quantiles of `likes`, and their Spearman correlation with downloads
                        (used through a Gaussian copula): hub-2022-02.jsonl.
  authors               how models concentrate on authors (Lorenz-style curve) and authors per model:
                        model-creation-2018-2022.parquet.
  tasks                 joint (pipeline_tag, library_name) of root models: hub-2022-02.jsonl.
  card                  base_model written as a list for one parent, cardData stating
                        base_model_relation, license_name/license_link of "other", lastModified -
                        createdAt lag: hub-2025-sample.jsonl.
  dataset_refs          share of models with `dataset:` tags and how many: hub-2022-02.jsonl
                        (before 2022) and hub-2025-sample.jsonl (from 2022).
  datasets              the dataset pool: data-provenance-collection/data_summaries/*.json (Hugging
                        Face ids, licenses, Sept 2023 downloads/likes) with license classes from
                        data-provenance-collection/constants/license_classes.json; a dataset's license
                        is its most restrictive one (Acad > NC > All), mapped to the Hub's license id.

Assumption, not fitted: the share of models that are derivatives at all (name a base model),
`--derivative-share`, default 0.4. The shared files cannot tell it for the whole Hub (the 2025
sample is ~99% derivatives by construction, the Feb 2022 list predates `base_model`).

How a snapshot is built: N*(1-share) roots get creation times from the growth curve; the
derivatives are split into families whose sizes are drawn from `family_sizes`, each headed by a
distinct random root; a derivative is created after its root (growth curve conditioned on it),
names the root or an earlier member of its family as parent (a quantized parent is replaced by
its own parent), and merges name 2-3 parents. Ids are unique by construction (the row's position
is part of every name).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
PARAMS_PATH = HERE / "synth_params.json"
DATA = HERE.parent.parent / "shared" / "data"

RELATIONS = ("finetune", "quantized", "merge", "adapter")  # codes 1..4; 0 = root
EDGE_TO_RELATION = {"finetuned": "finetune", "quantized": "quantized", "merged": "merge", "adapter": "adapter"}
QUANT_SUFFIX = {"GGUF": "-GGUF", "GPTQ": "-GPTQ", "AWQ": "-AWQ", "EXL2": "-exl2", "MLX": "-MLX",
                "BNB": "-bnb-4bit", "other": ""}
MIN_PERIOD_MODELS = 100   # a quarter of hub-2025-sample.jsonl needs this many models to get its own mix
MIN_CONDITIONAL = 20      # a root license needs this many children for its own conditional table
QUANTILE_GRID = np.unique(np.round(np.concatenate([
    np.linspace(0, 0.9, 91), np.linspace(0.9, 0.99, 91), np.linspace(0.99, 0.999, 91),
    np.linspace(0.999, 1, 101)]), 6))
GROWTH_FIT_MONTHS = 24

# Name parts (not fitted: names carry no license meaning except the quantization suffix).
# None of the second words is a valid hexadecimal string, so the hex position that ends
# every name keeps ids unique.
STEM_WORDS = ("aurora", "basil", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "iris",
              "juniper", "kestrel", "lumen", "maple", "nimbus", "onyx", "pine", "quartz", "raven",
              "sierra", "tundra", "umber", "vertex", "willow", "xenon", "yarrow", "zephyr", "atlas",
              "boreal", "comet", "dune", "echo", "flint")
SIZES = ("tiny", "small", "base", "large", "xl", "1b", "3b", "7b", "8b", "13b", "34b", "70b")
SECOND_WORDS = ("instruct", "chat", "sft", "dpo", "orpo", "med", "code", "math", "law", "roleplay",
                "uncensored", "german", "hindi", "japanese", "v2", "v3", "qlora", "summarizer",
                "sentiment", "ner", "squad", "tuned", "story", "tools")
AUTHOR_WORDS = ("lab", "ai", "nlp", "ml", "hub", "works", "research", "models", "team", "studio")


# ================================================================================== fitting ==

def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _license_tag(tags: Any) -> str | None:
    for tag in tags or ():
        if isinstance(tag, str) and tag.startswith("license:"):
            return tag[len("license:"):]
    return None


def _bases(rec: dict[str, Any]) -> list[str]:
    bm = (rec.get("cardData") or {}).get("base_model")
    if isinstance(bm, str):
        return [bm]
    return [b for b in bm if isinstance(b, str)] if isinstance(bm, list) else []


def _quantiles(values: np.ndarray) -> list[list[float]]:
    qs = np.quantile(values.astype(np.float64), QUANTILE_GRID)
    return [[float(p), float(q)] for p, q in zip(QUANTILE_GRID, qs)]


def fit_license_periods(data: Path, sample: list[dict[str, Any]], dump: list[dict[str, Any]],
                        created: np.ndarray) -> dict[str, Any]:
    periods: dict[str, Any] = {}
    declared = Counter(lic for r in dump if (lic := _license_tag(r.get("tags"))))
    periods["pre-2022"] = {"source": "hub-2022-02.jsonl", "models": len(dump),
                           "undeclared": len(dump) - sum(declared.values()), "declared": dict(declared.most_common())}
    # 2022: licences declared on the Hub between the Feb 2022 dump and 2022-09-27.
    dump_date = max(r["lastModified"] for r in dump if r.get("lastModified"))[:10]
    counts_file = data / "hub-license-counts-2022-2023" / "output" / "general" / "27_09_2022.csv"
    with open(counts_file, encoding="utf-8") as fh:
        sept = {row["license"]: int(row["count"]) for row in csv.DictReader(fh)}
    added = {k: v - declared.get(k, 0) for k, v in sept.items() if v - declared.get(k, 0) > 0}
    window = (created >= np.datetime64(dump_date)) & (created < np.datetime64("2022-09-27"))
    n_window = int(window.sum())
    periods["2022"] = {"source": f"hub-license-counts-2022-2023/output/general/27_09_2022.csv minus hub-2022-02.jsonl "
                                 f"(dump of {dump_date}); models created in the window from model-creation-2018-2022.parquet",
                       "models": n_window, "undeclared": max(0, n_window - sum(added.values())),
                       "declared": dict(sorted(added.items(), key=lambda kv: -kv[1]))}
    by_key: dict[str, list[str | None]] = defaultdict(list)
    for r in sample:
        ts = r.get("createdAt")
        if not isinstance(ts, str):
            continue
        year, quarter = ts[:4], (int(ts[5:7]) - 1) // 3 + 1
        lic = _license_tag(r.get("tags"))
        by_key[year].append(lic)
        by_key[f"{year}Q{quarter}"].append(lic)
    for key in sorted(by_key):
        lics = by_key[key]
        if len(lics) < MIN_PERIOD_MODELS or key in periods:
            continue
        dec = Counter(x for x in lics if x)
        periods[key] = {"source": "hub-2025-sample.jsonl", "models": len(lics),
                        "undeclared": len(lics) - sum(dec.values()), "declared": dict(dec.most_common())}
    return periods


def fit_derivative_license(sample: list[dict[str, Any]]) -> dict[str, Any]:
    by_id = {r["id"]: r for r in sample}
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for rec in sample:
        cur, seen = rec, {rec["id"]}
        while True:
            up = [b for b in _bases(cur) if b in by_id and b not in seen]
            if not up:
                break
            cur = by_id[up[0]]
            seen.add(cur["id"])
        if cur is rec:
            continue
        pairs[_license_tag(cur.get("tags")) or "none"][_license_tag(rec.get("tags")) or "none"] += 1
    return {root: {"models": sum(c.values()), "children": dict(c.most_common())}
            for root, c in sorted(pairs.items(), key=lambda kv: -sum(kv[1].values()))}


def fit_lineage(data: Path) -> tuple[dict[str, Any], dict[str, list[int]]]:
    with open(data / "lineage-edges-2025-06.csv", encoding="utf-8", newline="") as fh:
        rows = [(r["source"], r["target"], r["edge"]) for r in csv.DictReader(fh)]
    edges = Counter(EDGE_TO_RELATION[e] for _, _, e in rows)
    sources = {s for s, _, _ in rows}
    targets = {t for _, t, _ in rows}
    roots = sources - targets
    merge_parents = Counter(t for _, t, e in rows if e == "merged")
    multi = [n for n in merge_parents.values() if n >= 2]
    children: dict[str, list[str]] = defaultdict(list)
    for s, t, _ in rows:
        children[s].append(t)
    sizes: Counter[int] = Counter()
    for root in roots:  # iterative walk: families are thousands deep in places
        seen: set[str] = set()
        stack = [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child != root and child not in seen:
                    seen.add(child)
                    stack.append(child)
        sizes[len(seen)] += 1
    suffix: Counter[str] = Counter()
    for t in {t for _, t, e in rows if e == "quantized"}:
        up = t.upper()
        suffix[next((k for k, marks in (("GGUF", ("GGUF",)), ("GPTQ", ("GPTQ",)), ("AWQ", ("AWQ",)),
                                         ("EXL2", ("EXL2", "EXL3")), ("MLX", ("MLX",)),
                                         ("BNB", ("BNB", "4BIT", "8BIT")))
                     if any(m in up for m in marks)), "other")] += 1
    relations = {
        "source": "lineage-edges-2025-06.csv",
        "edges": {r: edges[r] for r in RELATIONS},
        "merge_targets_2_parents": sum(1 for n in multi if n == 2),
        "merge_targets_3plus_parents": sum(1 for n in multi if n >= 3),
        "edges_from_root": sum(1 for s, _, _ in rows if s in roots),
        "edges_total": len(rows),
        "quantized_suffix": dict(suffix.most_common()),
    }
    return relations, {"descendants": sorted(sizes), "roots": [sizes[k] for k in sorted(sizes)]}


def fit_growth(created: np.ndarray) -> dict[str, Any]:
    months = created.astype("datetime64[M]")
    first, last = np.datetime64("2019-01"), months.max()
    span = np.arange(first, last + 1)
    counts = np.array([(months == m).sum() for m in span], dtype=np.int64)
    x = np.arange(len(span))[-GROWTH_FIT_MONTHS:]
    b, a = np.polyfit(x, np.log(np.maximum(counts[-GROWTH_FIT_MONTHS:], 1)), 1)
    return {"source": "model-creation-2018-2022.parquet", "first_month": str(first),
            "monthly_counts": [int(c) for c in counts],
            "fit_months": [str(span[-GROWTH_FIT_MONTHS]), str(span[-1])],
            "log_count_intercept": float(a), "log_count_slope_per_month": float(b),
            "annual_growth_factor": float(math.exp(12 * b))}


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    def ranks(v: np.ndarray) -> np.ndarray:  # average ranks of ties
        _, inv, cnt = np.unique(v, return_inverse=True, return_counts=True)
        ends = np.cumsum(cnt)
        return (ends - (cnt - 1) / 2.0)[inv]
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def fit_authors(authors: list[str | None]) -> dict[str, Any]:
    counts = np.array(sorted(Counter(a for a in authors if a).values(), reverse=True), dtype=np.float64)
    cum = np.cumsum(counts) / counts.sum()
    n = len(counts)
    ranks = np.unique(np.round(np.logspace(0, math.log10(n), 160)).astype(int))
    curve = [[0.0, 0.0]] + [[float(r / n), float(cum[r - 1])] for r in ranks]
    return {"source": "model-creation-2018-2022.parquet", "models": int(counts.sum()), "authors": n,
            "curve": curve}


def _dpc_to_hub(name: str) -> tuple[str | None, str | None]:
    """A Data Provenance license name as the Hub's `license:` id (and license_name for `other`)."""
    fixed = {"MIT License": "mit", "MIT": "mit", "Apache License 2.0": "apache-2.0", "Apache 2.0": "apache-2.0",
             "BSD 3-Clause License": "bsd-3-clause", "BSD 2-Clause License": "bsd-2-clause",
             "GNU General Public License v3.0": "gpl-3.0", "GNU General Public License v2.0": "gpl-2.0",
             "LGPL 2.1": "lgpl-2.1", "LGPL 3.0": "lgpl-3.0", "MPL 2.0": "mpl-2.0", "ISC License": "isc",
             "EPL 1.0": "epl-1.0", "Artistic License 2.0": "artistic-2.0", "Academic Free License v3.0": "afl-3.0",
             "CC0 1.0": "cc0-1.0", "CC0": "cc0-1.0", "Public Domain": "cc0-1.0", "Llama 2": "llama2",
             "Meta Llama3 Community License": "llama3", "BigScience OpenRAIL-M": "bigscience-openrail-m",
             "CDLA Sharing 1.0": "cdla-sharing-1.0", "CDLA Permissive 1.0": "cdla-permissive-1.0",
             "CDLA Permissive 2.0": "cdla-permissive-2.0", "ODC BY 1.0": "odc-by", "C-UDA": "c-uda"}
    if name in fixed:
        return fixed[name], None
    m = re.fullmatch(r"CC (BY(?:[- ](?:NC|ND|SA))*)(?: (\d\.\d))?", name)
    if m:
        return "cc-" + m.group(1).lower().replace(" ", "-") + (f"-{m.group(2)}" if m.group(2) else ""), None
    return "other", re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def fit_datasets(data: Path) -> dict[str, Any]:
    dpc = data / "data-provenance-collection"
    classes = json.loads((dpc / "constants" / "license_classes.json").read_text(encoding="utf-8"))
    rank = {"Acad": 3, "NC": 2, "All": 1}
    unspecified = {"Unspecified", "No License", "Various", "Unclear"}
    merged: dict[str, dict[str, Any]] = {}
    for path in sorted((dpc / "data_summaries").glob("*.json")):
        if path.name.startswith("_"):
            continue
        for entry in json.loads(path.read_text(encoding="utf-8")).values():
            meta = entry.get("Inferred Metadata") or {}
            hf = (meta.get("HF Dataset") or "").strip()
            if not re.fullmatch(r"[\w.-]+/[\w.-]+", hf):
                continue
            slot = merged.setdefault(hf.lower(), {"id": hf, "licenses": [], "downloads": 0, "likes": 0})
            for lic in entry.get("Licenses") or ():
                if lic.get("License") and lic["License"] not in slot["licenses"]:
                    slot["licenses"].append(lic["License"])
            for key, field in (("downloads", "HF Downloads (September 2023)"), ("likes", "HF Likes (September 2023)")):
                if isinstance(meta.get(field), int):
                    slot[key] = max(slot[key], meta[field])
    pool = []
    for slot in sorted(merged.values(), key=lambda s: s["id"].lower()):
        named = [x for x in slot["licenses"] if x not in unspecified]
        best = max(named, key=lambda x: rank.get((classes.get(x) or ["?"])[0], 0), default=None)
        hub, name = _dpc_to_hub(best) if best else (None, None)
        klass = (classes.get(best) or ["?"])[0] if best else "Unspecified"
        pool.append([slot["id"], hub, name, klass, slot["downloads"], slot["likes"]])
    return {"source": "data-provenance-collection/data_summaries/*.json + constants/license_classes.json",
            "columns": ["id", "license", "license_name", "dpc_class", "downloads_2023_09", "likes_2023_09"],
            "pool": pool}


def _dataset_refs(records: list[dict[str, Any]], source: str) -> dict[str, Any]:
    k = Counter(min(5, sum(1 for t in r.get("tags") or () if isinstance(t, str) and t.startswith("dataset:")))
                for r in records)
    return {"source": source, "models": len(records), "count_of_dataset_tags": {str(i): k[i] for i in sorted(k)}}


def refit(data: Path = DATA) -> dict[str, Any]:
    import pyarrow.parquet as pq

    sample = list(_jsonl(data / "hub-2025-sample.jsonl"))
    dump = list(_jsonl(data / "hub-2022-02.jsonl"))
    creation = pq.read_table(data / "model-creation-2018-2022.parquet",
                             columns=["author", "creation_time", "downloads"])
    created = creation["creation_time"].to_numpy(zero_copy_only=False)
    created = created[~np.isnat(created)].astype("datetime64[s]")
    downloads = creation["downloads"].to_numpy(zero_copy_only=False)
    downloads = downloads[~np.isnan(downloads)]
    relations, family_sizes = fit_lineage(data)
    dump_dl = np.array([r.get("downloads") or 0 for r in dump], dtype=np.float64)
    dump_likes = np.array([r.get("likes") or 0 for r in dump], dtype=np.float64)
    with_base = [r for r in sample if _bases(r)]
    single = [r for r in with_base if len(_bases(r)) == 1]
    lags = np.array([(np.datetime64(r["lastModified"][:19]) - np.datetime64(r["createdAt"][:19])).astype(np.int64)
                     for r in sample if r.get("createdAt") and r.get("lastModified")], dtype=np.float64)
    other = Counter((r["cardData"].get("license_name"), r["cardData"].get("license_link"))
                    for r in sample if (r.get("cardData") or {}).get("license") == "other")
    tasks = Counter((r.get("pipeline_tag"), r.get("library_name")) for r in dump)
    return {
        "_comment": "SYNTHETIC snapshot parameters, fitted by `bench/synth_snapshot.py --refit` from ../shared/data; "
                    "see that script's header for where each comes from.",
        "license_periods": fit_license_periods(data, sample, dump, created),
        "derivative_license": {"source": "hub-2025-sample.jsonl", "min_children": MIN_CONDITIONAL,
                               "by_root_license": fit_derivative_license(sample)},
        "relations": relations,
        "family_sizes": {"source": "lineage-edges-2025-06.csv (roots: sources never targets; descendants counted "
                                   "transitively)", **family_sizes},
        "growth": fit_growth(created),
        "downloads": {"source": "model-creation-2018-2022.parquet", "quantiles": _quantiles(downloads)},
        "likes": {"source": "hub-2022-02.jsonl", "quantiles": _quantiles(dump_likes),
                  "spearman_with_downloads": _spearman(dump_dl, dump_likes)},
        "authors": fit_authors(creation["author"].to_pylist()),
        "tasks": {"source": "hub-2022-02.jsonl (pairs seen at least 20 times)",
                  "pairs": [[p, lib, n] for (p, lib), n in tasks.most_common() if n >= 20]},
        "card": {"source": "hub-2025-sample.jsonl",
                 "single_base_model_as_list": [sum(1 for r in single if isinstance(r["cardData"]["base_model"], list)),
                                               len(single)],
                 "states_base_model_relation": [sum(1 for r in with_base if "base_model_relation" in r["cardData"]),
                                                len(with_base)],
                 "other_license_name_link": [[n, link, c] for (n, link), c in other.most_common()],
                 "last_modified_lag_seconds": [[float(p), float(q)] for p, q in
                                               zip(np.linspace(0, 1, 51), np.quantile(lags, np.linspace(0, 1, 51)))]},
        "dataset_refs": {"pre-2022": _dataset_refs(dump, "hub-2022-02.jsonl"),
                         "from-2022": _dataset_refs(sample, "hub-2025-sample.jsonl")},
        "datasets": fit_datasets(data),
    }


def dump_params(raw: dict[str, Any]) -> str:
    """Indented JSON with the innermost lists kept on one line (a readable, diffable file)."""
    text = json.dumps(raw, indent=1, ensure_ascii=False)
    return re.sub(r"\[([^\[\]{}]*)\]", lambda m: "[" + re.sub(r"\s*\n\s*", " ", m.group(1)).strip() + "]", text) + "\n"


# =============================================================================== parameters ==

class Params:
    """The JSON parameters as arrays ready for sampling."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        vocab: dict[str, int] = {}

        def code(lic: str) -> int:
            return -1 if lic == "none" else vocab.setdefault(lic, len(vocab))

        self.periods: dict[str, tuple[float, np.ndarray, np.ndarray]] = {}
        for key, p in raw["license_periods"].items():
            names = list(p["declared"])
            weights = np.array([p["declared"][k] for k in names], dtype=np.float64)
            self.periods[key] = (p["undeclared"] / p["models"], np.array([code(k) for k in names]),
                                 weights / weights.sum())
        self.conditional: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for root, c in raw["derivative_license"]["by_root_license"].items():
            if c["models"] >= raw["derivative_license"]["min_children"]:
                kids = list(c["children"])
                w = np.array([c["children"][k] for k in kids], dtype=np.float64)
                self.conditional[code(root)] = (np.array([code(k) for k in kids]), w / w.sum())
        self.license_vocab = sorted(vocab, key=vocab.get)  # type: ignore[arg-type]
        self.other_code = vocab.get("other", -2)
        rel = raw["relations"]
        self.edge_mix = np.array([rel["edges"][r] for r in RELATIONS], dtype=np.float64)
        self.edge_mix /= self.edge_mix.sum()
        self.p_three = rel["merge_targets_3plus_parents"] / max(1, rel["merge_targets_2_parents"] + rel["merge_targets_3plus_parents"])
        parents_per_child = np.array([1.0, 1.0, 2.0 + self.p_three, 1.0])
        child_mix = self.edge_mix / parents_per_child  # so that the EDGE mix matches the fitted one
        self.child_mix = child_mix / child_mix.sum()
        self.edges_from_root = rel["edges_from_root"] / rel["edges_total"]
        sfx = rel["quantized_suffix"]
        self.suffix_names = list(sfx)
        self.suffix_p = np.array([sfx[k] for k in self.suffix_names], dtype=np.float64)
        self.suffix_p /= self.suffix_p.sum()
        fam = raw["family_sizes"]
        self.family_values = np.array(fam["descendants"], dtype=np.int64)
        self.family_p = np.array(fam["roots"], dtype=np.float64)
        self.family_p /= self.family_p.sum()
        self.downloads_q = np.array(raw["downloads"]["quantiles"]).T
        self.likes_q = np.array(raw["likes"]["quantiles"]).T
        rho_s = raw["likes"]["spearman_with_downloads"]
        self.copula_rho = 2 * math.sin(math.pi * rho_s / 6)  # Spearman -> Gaussian copula correlation
        self.author_curve = np.array(raw["authors"]["curve"]).T
        self.authors_per_model = raw["authors"]["authors"] / raw["authors"]["models"]
        pairs = raw["tasks"]["pairs"]
        self.tasks = [(p, lib) for p, lib, _ in pairs]
        self.task_p = np.array([n for _, _, n in pairs], dtype=np.float64)
        self.task_p /= self.task_p.sum()
        card = raw["card"]
        self.list_share = card["single_base_model_as_list"][0] / max(1, card["single_base_model_as_list"][1])
        self.card_relation_share = card["states_base_model_relation"][0] / max(1, card["states_base_model_relation"][1])
        other = card["other_license_name_link"]
        self.other_pairs = [(n, link) for n, link, _ in other]
        self.other_p = np.array([c for _, _, c in other], dtype=np.float64)
        self.other_p /= self.other_p.sum()
        self.lag_q = np.array(card["last_modified_lag_seconds"]).T
        self.dataset_refs = {}
        for key, d in raw["dataset_refs"].items():
            k = d["count_of_dataset_tags"]
            w = np.array([k.get(str(i), 0) for i in range(6)], dtype=np.float64)
            self.dataset_refs[key] = w / w.sum()
        self.datasets = raw["datasets"]["pool"]
        w = np.array([row[4] for row in self.datasets], dtype=np.float64) + 100.0  # downloads + a prior
        self.dataset_p = w / w.sum()
        g = raw["growth"]
        self.growth_first = np.datetime64(g["first_month"], "M")
        self.growth_counts = np.array(g["monthly_counts"], dtype=np.float64)
        self.growth_a, self.growth_b = g["log_count_intercept"], g["log_count_slope_per_month"]

    def period_key(self, year: int, quarter: int) -> str:
        """The license period of a root created in this quarter (quarter 1..4)."""
        if f"{year}Q{quarter}" in self.periods:
            return f"{year}Q{quarter}"
        if str(year) in self.periods:
            return str(year)
        if year < 2022:
            return "pre-2022"
        years = sorted(int(k) for k in self.periods if k.isdigit())
        return str(max((y for y in years if y <= year), default=years[0]))

    def undeclared_share(self, key: str) -> float:
        return self.periods[key][0]

    def month_weights(self, months: np.ndarray, annual_growth: float | None) -> np.ndarray:
        """Relative number of models created in each month: the real counts where the data has them
        (floored at 1), the log-linear fit extrapolated after."""
        idx = (months - self.growth_first).astype(np.int64)
        n = len(self.growth_counts)
        b = self.growth_b if annual_growth is None else math.log(annual_growth) / 12
        last = self.growth_a + self.growth_b * (n - 1)
        w = np.exp(last + b * (idx - (n - 1)))
        inside = (idx >= 0) & (idx < n)
        w[inside] = np.maximum(self.growth_counts[idx[inside]], 1.0)
        w[idx < 0] = 1.0
        return w


def load_params(path: Path = PARAMS_PATH) -> Params:
    return Params(json.loads(path.read_text(encoding="utf-8")))


# =============================================================================== generation ==

def _phi(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7): numpy has no erf and
    SciPy is not a project dependency for one function."""
    z = np.abs(x) / math.sqrt(2)
    t = 1.0 / (1.0 + 0.3275911 * z)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-z * z)
    return 0.5 * (1.0 + np.sign(x) * y)


def _ms(day: str) -> int:
    return int(np.datetime64(day, "ms").astype(np.int64))


class Plan:
    """Every generated model as columns of numpy arrays, in file (creation) order."""

    def __init__(self, params: Params, n: int, seed: int, derivative_share: float,
                 start: str, end: str, annual_growth: float | None, with_datasets: bool) -> None:
        P = self.params = params
        rng = np.random.default_rng(seed)
        self.n = n
        D = round(n * derivative_share)
        R = n - D
        if R < 1:
            raise ValueError("at least one root model is needed: lower --derivative-share")

        # -- family sizes: draw until the derivative budget is used, truncate the last one
        sizes = np.zeros(0, dtype=np.int64)
        mean = float((P.family_values * P.family_p).sum())
        while sizes.sum() < D:
            sizes = np.concatenate([sizes, rng.choice(P.family_values, size=int(D / mean * 1.2) + 16, p=P.family_p)])
        cut = int(np.searchsorted(np.cumsum(sizes), D)) + 1 if D else 0
        sizes = sizes[:cut]
        if D:
            sizes[-1] -= int(sizes.sum()) - D
        F = len(sizes)
        if F > R:
            raise ValueError(f"{F} families need {F} roots but only {R} models are roots: lower --derivative-share")

        # -- creation times: roots follow the growth curve; derivatives follow it after their root
        months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + 1)
        edges = np.concatenate([months, [months[-1] + 1]]).astype("datetime64[ms]").astype(np.int64).astype(np.float64)
        start_ms, end_ms = float(_ms(start)), float(_ms(end)) + 86_400_000 - 1
        edges[0], edges[-1] = max(edges[0], start_ms), min(edges[-1], end_ms)
        cdf = np.concatenate([[0.0], np.cumsum(P.month_weights(months, annual_growth))])
        cdf /= cdf[-1]
        t_root = np.floor(np.interp(rng.random(R), cdf, edges)).astype(np.int64)
        fam_root = rng.choice(R, size=F, replace=False) if F else np.zeros(0, dtype=np.int64)
        fam = np.repeat(np.arange(F), sizes)
        root_t = t_root[fam_root][fam]
        lo = np.interp(root_t.astype(np.float64), edges, cdf)
        t_der = np.floor(np.interp(lo + rng.random(D) * (1.0 - lo), cdf, edges)).astype(np.int64)
        t_der = np.maximum(t_der, root_t)
        t_der = t_der[np.lexsort((t_der, fam))]  # fam is already sorted; sort members by time
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if F else np.zeros(0, np.int64)
        j = np.arange(D, dtype=np.int64) - first[fam] if D else np.zeros(0, np.int64)

        # -- relations and parents (model index space: roots 0..R-1, derivative d is R + d)
        rel = rng.choice(np.arange(1, 5, dtype=np.int8), size=D, p=P.child_mix)
        # Parents are the root or earlier members of the family that are not quantized (nobody
        # builds on a quantized model here): `nq` lists those members, family by family, in order,
        # and `c` counts, for each derivative, the ones before it in its family.
        usable = rel != 2
        nq = np.nonzero(usable)[0]
        seen = np.cumsum(usable) - usable
        nq_first = seen[first] if F else np.zeros(0, np.int64)
        c = seen - nq_first[fam]
        f0 = float((c == 0).mean()) if D else 0.0  # those can only name the root
        p_root = max(0.0, (P.edges_from_root - f0) / (1.0 - f0)) if f0 < 1 else 1.0
        use_root = (c == 0) | (rng.random(D) < p_root)
        pick = nq_first[fam] + np.floor(rng.random(D) * np.maximum(c, 1)).astype(np.int64)
        par = np.where(use_root, fam_root[fam], R + nq[np.minimum(pick, len(nq) - 1)] if len(nq) else 0)
        n_extra = np.where(rel == 3, 1 + (rng.random(D) < P.p_three), 0)
        extras = np.full((D, 2), -1, dtype=np.int64)
        for k in range(2):  # a merge's other parents: the root or any usable earlier member
            v = np.floor(rng.random(D) * (c + 1)).astype(np.int64)
            member = R + nq[np.minimum(nq_first[fam] + v, len(nq) - 1)] if len(nq) else np.zeros(D, np.int64)
            extras[:, k] = np.where(n_extra > k, np.where(v >= c, fam_root[fam], member), -1)

        # -- global order: time, then roots before derivatives, then rank in the family
        t_all = np.concatenate([t_root, t_der])
        is_der = np.concatenate([np.zeros(R, np.int8), np.ones(D, np.int8)])
        rank = np.concatenate([np.zeros(R, np.int64), j])
        perm = np.lexsort((rank, is_der, t_all))
        inv = np.empty(n, dtype=np.int64)
        inv[perm] = np.arange(n)
        self.created = t_all[perm]
        pos_rel = np.concatenate([np.zeros(R, np.int8), rel])
        self.relation = pos_rel[perm]
        parents = np.full((n, 3), -1, dtype=np.int64)
        parents[inv[R:], 0] = inv[par]
        for k in range(2):
            ok = extras[:, k] >= 0
            col = np.full(D, -1, dtype=np.int64)
            col[ok] = inv[extras[ok, k]]
            parents[inv[R:], k + 1] = col
        # duplicates among a merge's parents: redraw from any earlier model (cross-family merge)
        for _ in range(64):
            dup = np.zeros((n, 3), dtype=bool)
            dup[:, 1] = (parents[:, 1] >= 0) & (parents[:, 1] == parents[:, 0])
            dup[:, 2] = (parents[:, 2] >= 0) & ((parents[:, 2] == parents[:, 0]) | (parents[:, 2] == parents[:, 1]))
            rows, cols = np.nonzero(dup)
            if len(rows) == 0:
                break
            pick = np.floor(rng.random(len(rows)) * rows).astype(np.int64)
            quant = self.relation[pick] == 2
            pick[quant] = parents[pick[quant], 0]
            parents[rows, cols] = pick
        else:
            parents[dup] = -1
        self.parents = parents
        self.n_roots, self.n_derivatives, self.n_families = R, D, F

        # -- licenses: roots from their period's mix, derivatives given the family root's license
        lic = np.full(n, -1, dtype=np.int32)
        rt = t_root.astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
        year, quarter = rt // 12 + 1970, (rt % 12) // 3 + 1
        yq = year * 4 + quarter - 1
        self.root_period: dict[str, np.ndarray] = {}
        period_of_root = np.empty(R, dtype=object)
        for v in np.unique(yq):
            period_of_root[yq == v] = P.period_key(int(v // 4), int(v % 4) + 1)
        for key in sorted(set(period_of_root)):
            members = np.nonzero(period_of_root == key)[0]
            p_none, codes, probs = P.periods[key]
            draw = codes[rng.choice(len(codes), size=len(members), p=probs)]
            lic[members] = np.where(rng.random(len(members)) < p_none, -1, draw)
            self.root_period[key] = inv[members]
        root_lic = lic[fam_root][fam]
        der_lic = root_lic.copy()
        for c in np.unique(root_lic):
            if int(c) in P.conditional:
                members = np.nonzero(root_lic == c)[0]
                codes, probs = P.conditional[int(c)]
                der_lic[members] = codes[rng.choice(len(codes), size=len(members), p=probs)]
        lic[R:] = der_lic
        self.license = lic[perm]
        self.other_pair = rng.choice(len(P.other_pairs), size=n, p=P.other_p).astype(np.int16)

        # -- counts, dates, authors, tasks, names, datasets
        z1 = rng.standard_normal(n)
        z2 = P.copula_rho * z1 + math.sqrt(1 - P.copula_rho ** 2) * rng.standard_normal(n)
        self.downloads = np.floor(np.interp(_phi(z1), *P.downloads_q)).astype(np.int64)
        self.likes = np.floor(np.interp(_phi(z2), *P.likes_q)).astype(np.int64)
        lag = np.floor(np.interp(rng.random(n), *P.lag_q) * 1000).astype(np.int64)
        self.modified = np.minimum(self.created + lag, np.maximum(self.created, int(end_ms)))
        n_authors = max(1, round(n * P.authors_per_model))
        self.author = np.minimum(np.floor(np.interp(rng.random(n), P.author_curve[1], P.author_curve[0]) * n_authors),
                                 n_authors - 1).astype(np.int64)
        self.author_word = rng.integers(0, len(AUTHOR_WORDS), size=n_authors, dtype=np.int8)
        task = rng.choice(len(P.tasks), size=n, p=P.task_p).astype(np.int16)
        task[R:] = task[fam_root][fam]
        self.task = task[perm]
        stem = rng.integers(0, len(STEM_WORDS), size=n, dtype=np.int16)
        size = rng.integers(0, len(SIZES), size=n, dtype=np.int16)
        stem[R:], size[R:] = stem[fam_root][fam], size[fam_root][fam]
        self.stem, self.size = stem[perm], size[perm]
        self.second = rng.integers(0, len(SECOND_WORDS), size=n, dtype=np.int16)
        self.suffix = rng.choice(len(P.suffix_names), size=n, p=P.suffix_p).astype(np.int8)
        self.base_as_list = rng.random(n) < P.list_share
        self.card_relation = rng.random(n) < P.card_relation_share
        self.n_datasets = np.zeros(n, dtype=np.int8)
        self.dataset_idx = np.zeros((n, 5), dtype=np.int16)
        if with_datasets and P.datasets:
            early = self.created < _ms("2022-01-01")
            for key, mask in (("pre-2022", early), ("from-2022", ~early)):
                self.n_datasets[mask] = rng.choice(6, size=int(mask.sum()), p=P.dataset_refs[key])
            self.dataset_idx = rng.choice(len(P.datasets), size=(n, 5), p=P.dataset_p).astype(np.int16)
        self.with_datasets = with_datasets

    # -- rows ------------------------------------------------------------------------------------
    def ids(self, authors: list[str]) -> list[str]:
        stems, sizes, seconds = STEM_WORDS, SIZES, SECOND_WORDS
        suffixes = [QUANT_SUFFIX.get(k, "") for k in self.params.suffix_names]
        out = []
        for i, (a, r, w, s, x, q) in enumerate(zip(self.author.tolist(), self.relation.tolist(), self.stem.tolist(),
                                                   self.size.tolist(), self.second.tolist(), self.suffix.tolist())):
            base = f"{authors[a]}/{stems[w]}-{sizes[s]}"
            if r == 0:
                out.append(f"{base}-{i:x}")
            elif r == 1:
                out.append(f"{base}-{seconds[x]}-{i:x}")
            elif r == 2:
                out.append(f"{base}-{i:x}{suffixes[q]}")
            elif r == 3:
                out.append(f"{base}-{seconds[x]}-merge-{i:x}")
            else:
                out.append(f"{base}-lora-{i:x}")
        return out

    def author_names(self) -> list[str]:
        return [f"synth-{AUTHOR_WORDS[w]}-{k:x}" for k, w in enumerate(self.author_word.tolist())]

    def dataset_rows(self) -> Iterator[dict[str, Any]]:
        if not self.with_datasets:
            return
        for did, lic, name, _klass, downloads, likes in self.params.datasets:
            card: dict[str, Any] = {}
            tags = []
            if lic:
                card["license"] = lic
                tags.append(f"license:{lic}")
                if name:
                    card["license_name"] = name
            tags.append("region:us")
            yield {"type": "dataset", "id": did, "author": did.split("/", 1)[0], "createdAt": None,
                   "lastModified": None, "downloads": int(downloads), "likes": int(likes), "pipeline_tag": None,
                   "library_name": None, "tags": tags, "cardData": card or None}

    def model_columns(self, ids: list[str], authors: list[str], a: int, b: int) -> dict[str, list[Any]]:
        """Columns of models a..b-1; cardData as a dict (None when empty)."""
        P = self.params
        vocab, tasks, datasets, other_pairs = P.license_vocab, P.tasks, P.datasets, P.other_pairs
        rel_names = ("",) + RELATIONS
        gguf = P.suffix_names.index("GGUF") if "GGUF" in P.suffix_names else -1
        cols: dict[str, list[Any]] = {k: [] for k in ("type", "id", "author", "createdAt", "lastModified", "downloads",
                                                      "likes", "pipeline_tag", "library_name", "tags", "cardData")}
        pts, libs, all_tags, cards = cols["pipeline_tag"], cols["library_name"], cols["tags"], cols["cardData"]
        for i, r, t, q, code, op, parents, as_list, card_rel, k, dsi in zip(
                range(a, b), self.relation[a:b].tolist(), self.task[a:b].tolist(), self.suffix[a:b].tolist(),
                self.license[a:b].tolist(), self.other_pair[a:b].tolist(), self.parents[a:b].tolist(),
                self.base_as_list[a:b].tolist(), self.card_relation[a:b].tolist(), self.n_datasets[a:b].tolist(),
                self.dataset_idx[a:b].tolist()):
            pt, lib = tasks[t]
            tags: list[str] = []
            if r == 2 and q == gguf:
                lib = None
                tags.append("gguf")
            elif r == 4:
                lib = "peft"
            if lib:
                tags.append(lib)
            if pt:
                tags.append(pt)
            card: dict[str, Any] = {}
            if code >= 0:
                lic = vocab[code]
                card["license"] = lic
                if lic == "other":
                    name, link = other_pairs[op]
                    if name:
                        card["license_name"] = name
                    if link:
                        card["license_link"] = link
            if r:
                ps = [ids[p] for p in parents if p >= 0]
                card["base_model"] = ps if (len(ps) > 1 or as_list) else ps[0]
                if card_rel:
                    card["base_model_relation"] = rel_names[r]
            if k:
                ds = list(dict.fromkeys(datasets[d][0] for d in dsi[:k]))
                card["datasets"] = ds
                tags.extend(["dataset:" + d for d in ds])
            if r:
                tags.extend(["base_model:" + p for p in ps])
                tags.extend([f"base_model:{rel_names[r]}:{p}" for p in ps])
            if code >= 0:
                tags.append("license:" + lic)
            tags.append("region:us")
            pts.append(pt)
            libs.append(lib)
            all_tags.append(tags)
            cards.append(card or None)
        cols["type"] = ["model"] * (b - a)
        cols["id"] = ids[a:b]
        cols["author"] = [authors[x] for x in self.author[a:b].tolist()]
        cols["createdAt"] = [s + "Z" for s in np.datetime_as_string(self.created[a:b].astype("datetime64[ms]"), unit="ms").tolist()]
        cols["lastModified"] = [s + "Z" for s in np.datetime_as_string(self.modified[a:b].astype("datetime64[ms]"), unit="ms").tolist()]
        cols["downloads"] = self.downloads[a:b].tolist()
        cols["likes"] = self.likes[a:b].tolist()
        return cols

    # -- figures of this plan ----------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        P = self.params
        edges = Counter()
        for k in range(3):
            has = self.parents[:, k] >= 0
            edges.update(Counter(self.relation[has].tolist()))
        total = sum(edges.values()) or 1
        roots = self.relation == 0
        expected_none = sum(P.undeclared_share(k) * len(v) for k, v in self.root_period.items())
        years = Counter((self.created.astype("datetime64[ms]").astype("datetime64[Y]").astype(np.int64) + 1970).tolist())
        depth_root = (self.parents[:, 0] >= 0) & (self.relation[np.maximum(self.parents[:, 0], 0)] == 0)
        return {
            "models": self.n, "roots": self.n_roots, "derivatives": self.n_derivatives, "families": self.n_families,
            "edge_mix": {RELATIONS[r - 1]: round(edges[r] / total, 4) for r in range(1, 5)},
            "edges_from_root": round(float(depth_root.sum()) / max(1, int((self.parents[:, 0] >= 0).sum())), 4),
            "root_undeclared": round(float((self.license[roots] < 0).mean()), 4) if roots.any() else None,
            "root_undeclared_expected": round(expected_none / max(1, int(roots.sum())), 4),
            "all_undeclared": round(float((self.license < 0).mean()), 4),
            "models_per_year": dict(sorted(years.items())),
        }


def write(plan: Plan, out: Path, fmt: str, batch: int) -> None:
    import pyarrow as pa

    authors = plan.author_names()
    ids = plan.ids(authors)
    if fmt == "jsonl":
        with open(out, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in plan.dataset_rows())
            for a in range(0, plan.n, batch):
                cols = plan.model_columns(ids, authors, a, min(plan.n, a + batch))
                keys = list(cols)
                fh.writelines(json.dumps(dict(zip(keys, row)), ensure_ascii=False) + "\n" for row in zip(*cols.values()))
        return
    import pyarrow.parquet as pq

    schema = pa.schema([("type", pa.string()), ("id", pa.string()), ("author", pa.string()),
                        ("createdAt", pa.string()), ("lastModified", pa.string()), ("downloads", pa.int64()),
                        ("likes", pa.int64()), ("pipeline_tag", pa.string()), ("library_name", pa.string()),
                        ("tags", pa.list_(pa.string())), ("cardData", pa.string())])

    def table(cols: dict[str, list[Any]]) -> pa.Table:
        cols["cardData"] = [None if c is None else json.dumps(c, ensure_ascii=False) for c in cols["cardData"]]
        return pa.Table.from_pydict(cols, schema=schema)

    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        rows = list(plan.dataset_rows())
        if rows:
            writer.write_table(table({k: [r[k] for r in rows] for k in schema.names}))
        for a in range(0, plan.n, batch):
            writer.write_table(table(plan.model_columns(ids, authors, a, min(plan.n, a + batch))), row_group_size=batch)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100_000)
    ap.add_argument("--out", type=Path, help="output file (.parquet or .jsonl)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=("parquet", "jsonl"), default=None,
                    help="default: from the --out suffix, else parquet")
    ap.add_argument("--derivative-share", type=float, default=0.4,
                    help="share of models that name a base model (an ASSUMPTION, not fitted; default 0.4)")
    ap.add_argument("--start", default="2019-01-01", help="first creation day (default 2019-01-01)")
    ap.add_argument("--end", default="2025-06-30", help="last creation day = snapshot date (default 2025-06-30)")
    ap.add_argument("--annual-growth", type=float, default=None,
                    help="yearly growth factor after the fitted data ends (default: the fitted one)")
    ap.add_argument("--no-datasets", action="store_true", help="no dataset rows and no dataset: tags")
    ap.add_argument("--batch", type=int, default=100_000, help="rows per Parquet row group / write batch")
    ap.add_argument("--params", type=Path, default=PARAMS_PATH)
    ap.add_argument("--refit", action="store_true", help="recompute --params from --data first")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--stats", action="store_true", help="print the generated mix (JSON) after writing")
    args = ap.parse_args(argv)

    if args.refit:
        t0 = time.perf_counter()
        args.params.write_text(dump_params(refit(args.data)), encoding="utf-8")
        print(f"refitted {args.params} from {args.data} in {time.perf_counter() - t0:.1f} s")
    if args.out is None:
        if not args.refit:
            ap.error("--out is required (unless only --refit)")
        return 0
    fmt = args.format or ("jsonl" if args.out.name.endswith(".jsonl") else "parquet")
    t0 = time.perf_counter()
    if args.models < 1 or not 0 <= args.derivative_share < 1:
        ap.error("--models must be positive and --derivative-share in [0, 1)")
    try:
        plan = Plan(load_params(args.params), args.models, args.seed, args.derivative_share, args.start, args.end,
                    args.annual_growth, not args.no_datasets)
    except ValueError as exc:
        ap.error(str(exc))
    t_plan = time.perf_counter() - t0
    write(plan, args.out, fmt, args.batch)
    elapsed = time.perf_counter() - t0
    size = args.out.stat().st_size
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"SYNTHETIC snapshot: {args.models:,} models ({plan.n_derivatives:,} derivatives in {plan.n_families:,} "
          f"families) + {len(plan.params.datasets) if plan.with_datasets else 0} datasets -> {args.out} ({fmt})")
    print(f"time {elapsed:.1f} s (plan {t_plan:.1f} s, rows and writing {elapsed - t_plan:.1f} s); "
          f"file {size / 2**20:.1f} MiB; peak RSS {rss:.0f} MiB")
    if args.stats:
        print(json.dumps(plan.stats(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
