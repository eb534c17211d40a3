"""The duty list (engine/duties.py) that feeds check, notice and advise, read against the
license texts: every display, Notice-file sentence, license copy and restriction each license
requires, verbatim where the license fixes the words, with what triggers it."""

from __future__ import annotations

import pytest

from clearance.engine.duties import duties, triggers_for
from clearance.kb import default_kb
from clearance.kb.anchors import scancode_text, verbatim

# For a product shipping these: what each license requires, and the exact words it fixes.
REQUIRED = {
    "llama2": {"notice-file": "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.",
               "license-copy": None, "pass-on": None, "acceptable-use": None},
    "llama3": {"display": "Built with Meta Llama 3", "notice-file": None, "license-copy": None, "naming": None,
               "acceptable-use": None},
    "llama3.1": {"display": "Built with Llama",
                 "notice-file": "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
                 "license-copy": None, "naming": None, "acceptable-use": None},
    "llama3.2": {"display": "Built with Llama", "notice-file": None, "license-copy": None, "naming": None, "acceptable-use": None},
    "llama3.3": {"display": "Built with Llama", "notice-file": None, "license-copy": None, "naming": None, "acceptable-use": None},
    "llama4": {"display": "Built with Llama", "notice-file": None, "license-copy": None, "naming": None, "acceptable-use": None},
    "gemma": {"notice-file": "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms",
              "license-copy": None, "pass-on": None, "modification-notice": None},
    "creativeml-openrail-m": {"license-copy": None, "pass-on": None, "modification-notice": None, "latest-version": None},
    "apache-2.0": {"license-copy": None, "attribution": None, "modification-notice": None},
}
TEXTS = {"llama2": "llama-2-license-2023", "llama3.1": "llama-3.1-license-2024", "llama3.2": "llama-3.2-license-2024",
         "llama3.3": "llama-3.3-license-2024", "llama4": "llama-4-cla-2025", "gemma": "gemma-tou-2025-03-24",
         "creativeml-openrail-m": "stable-diffusion-2022-08-22", "apache-2.0": "apache-2.0"}


@pytest.mark.parametrize("lid", sorted(REQUIRED))
def test_every_duty_a_product_shipping_the_model_owes(lid):
    lic = default_kb().get(lid)
    got = {d.kind: d for d in duties(lic)}
    for kind, words in REQUIRED[lid].items():
        assert kind in got, f"{lid}: no {kind} duty"
        if words:
            assert got[kind].words == words
    for d in got.values():
        assert d.section and d.url.startswith("https://")
        if d.words and lid in TEXTS and "[" not in d.words:
            assert verbatim(d.words) in verbatim(scancode_text(TEXTS[lid])), f"{lid}: {d.kind} not verbatim"


def test_a_hosted_product_distributes_nothing():
    # Apache-2.0's duties all come with copies; Llama 3.1's display comes with a product too.
    apache = [d for d in duties(default_kb().get("apache-2.0")) if d.triggered_by(triggers_for("commercial", False))]
    assert apache == []
    llama = {d.kind for d in duties(default_kb().get("llama3.1")) if d.triggered_by(triggers_for("commercial", False))}
    assert "display" in llama and "notice-file" not in llama and "license-copy" not in llama
    shipped = {d.kind for d in duties(default_kb().get("llama3.1")) if d.triggered_by(triggers_for("redistribution", True))}
    assert {"display", "notice-file", "license-copy", "naming"} <= shipped
