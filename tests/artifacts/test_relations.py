"""How an edge's relation is chosen, and that the evidence says how it was learnt."""

from __future__ import annotations

import json
from pathlib import Path

from clearance.artifacts.ids import parse_ref
from clearance.artifacts.relations import (
    QUANT_ID_RE2,
    QUANT_NAME,
    Claim,
    Strength,
    normalize_relation,
    quant_markers,
    type_edges,
)


def claim(pid: str, relation: str | None = None, said: str = "card", strength: Strength = Strength.NONE) -> Claim:
    return Claim(parse_ref(pid), relation, said, strength)


def test_no_relation_stated_is_a_finetune_by_default():
    (edge,) = type_edges("me/x", [claim("org/base")])
    assert (edge.parent, edge.child, edge.relation) == ("org/base", "me/x", "finetune")
    assert "by default" in edge.evidence


def test_stated_relation_wins_over_inference():
    (edge,) = type_edges("me/x-GGUF", [claim("org/base", "adapter", "adapter_config.json", Strength.STATED)],
                         quant_markers("me/x-GGUF"))
    assert edge.relation == "adapter" and "adapter_config.json" in edge.evidence


def test_hub_default_finetune_tag_yields_to_quantization_markers():
    markers = quant_markers("TheBloke/Llama-2-7B-Chat-GGML", ["gguf"], ["llama-2-7b-chat.Q4_K_M.gguf"])
    assert markers and "GGML" in markers[0]
    (edge,) = type_edges("TheBloke/Llama-2-7B-Chat-GGML",
                         [claim("meta-llama/Llama-2-7b-chat-hf", "finetune", "tag base_model:finetune", Strength.HUB_DEFAULT)],
                         markers)
    assert edge.relation == "quantized"
    assert "inferred" in edge.evidence and "tag base_model:finetune" in edge.evidence


def test_a_non_default_hub_tag_is_trusted():
    (edge,) = type_edges("me/m", [claim("org/a", "merge", "tag base_model:merge", Strength.HUB)], ["name contains 'gguf'"])
    assert edge.relation == "merge"


def test_several_bases_are_a_merge_and_the_same_base_named_twice_is_one_edge():
    edges = type_edges("me/m", [claim("org/a"), claim("ORG/A", said="tag"), claim("org/b")])
    assert [(e.parent, e.relation) for e in edges] == [("org/a", "merge"), ("org/b", "merge")]
    assert "2 distinct bases" in edges[0].evidence and "tag" in edges[0].evidence


def test_one_base_with_the_hub_default_tag_is_a_finetune():
    (edge,) = type_edges("me/m", [claim("org/a"), claim("org/a", "finetune", "tag base_model:finetune", Strength.HUB_DEFAULT)])
    assert edge.relation == "finetune" and "tag base_model:finetune" in edge.evidence


def test_relation_spellings():
    assert normalize_relation(" Fine-Tune ") == "finetune"
    assert normalize_relation("quantization") == "quantized"
    assert normalize_relation("distillation") == "distilled"
    assert normalize_relation("merged") == "merge"
    assert normalize_relation("banana") is None and normalize_relation(3) is None


def test_quant_markers_are_tokens_not_substrings():
    assert quant_markers("org/awesome-model") == []  # 'awesome' holds no AWQ token
    assert quant_markers("org/Llama-2-7B-AWQ")
    assert quant_markers("PrunaAI/google-gemma-7b-HQQ-4bit-smashed")
    assert quant_markers("org/m", files=["model-q4_k_m.gguf"])
    assert quant_markers("org/m", files=["model.safetensors"]) == []


def _sql_finds_marker(con, ids: list[str]) -> list[bool]:
    return [r[0] for r in con.execute("select regexp_matches(lower(i), ?) from unnest(?::varchar[]) with ordinality t(i, k) order by k",
                                      [QUANT_ID_RE2, ids]).fetchall()]


def test_the_sql_marker_test_on_a_whole_id_is_the_name_test():
    # analytics/tables.py tests lower-cased ids in DuckDB (RE2: no look-around) with QUANT_ID_RE2;
    # the engine tests the name after the last "/" with QUANT_NAME. Both say the same of every id.
    import duckdb
    from hypothesis import given, settings
    from hypothesis import strategies as st

    con = duckdb.connect()
    parts = st.sampled_from(["gguf", "GGUF", "awq", "q4", "4bit", "4-bit", "8bits", "int8", "int4bit", "exl2", "2.5bpw",
                             "bnb", "nf4", "llama", "awesome", "bitsandbytes", "hqq", "7b", "v1.5", "x", "0"])
    seps = st.sampled_from(["-", "_", ".", "", "/", " ", "@", "--"])
    tokens = st.lists(st.tuples(parts, seps), max_size=6).map(lambda ts: "".join(p + s for p, s in ts))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(tokens, min_size=1, max_size=20))
    def agree(ids):
        assert _sql_finds_marker(con, ids) == [bool(QUANT_NAME.search(i.rsplit("/", 1)[-1])) for i in ids]

    agree()
    # and on every id of the real 2025 sample
    sample = Path(__file__).resolve().parents[2] / "data" / "hub-2025-sample.jsonl"
    ids = [json.loads(line)["id"] for line in sample.read_text().splitlines() if line.strip()]
    found = _sql_finds_marker(con, ids)
    assert found == [bool(QUANT_NAME.search(i.rsplit("/", 1)[-1])) for i in ids] and sum(found) > 20
