"""Every error a user can cause derives from one base, so a front end handles them in one place."""

from __future__ import annotations

import importlib

import pytest

from clearance.util.errors import ClearanceError

LIBRARY_ERRORS = [
    "clearance.policy.load.PolicyError", "clearance.kb.loader.KBError", "clearance.kb.textdetect.TextError",
    "clearance.sources.hubrecord.RecordError", "clearance.sources.ggufmeta.GGUFError",
    "clearance.sources.interface.SourceError", "clearance.sources.interface.LookupFailed",
    "clearance.sources.safetensors_meta.SafetensorsError", "clearance.sources.frontmatter.YamlBomb",
    "clearance.scan.model.ScanError", "clearance.artifacts.ids.InvalidRef", "clearance.analytics.tables.SnapshotError",
]


@pytest.mark.parametrize("path", LIBRARY_ERRORS)
def test_library_errors_share_one_base(path):
    module, name = path.rsplit(".", 1)
    assert issubclass(getattr(importlib.import_module(module), name), ClearanceError)


def test_a_bad_reference_is_caught_by_the_base():
    from clearance.artifacts.ids import parse_ref

    with pytest.raises(ClearanceError, match="not a"):
        parse_ref("not a model id at all!")
