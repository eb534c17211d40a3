"""A raw license signal: one thing some source said about an artifact's license.

Sources (sources/) produce signals; the normalizer (kb/normalizer.py) turns them into KB ids.
"""

from __future__ import annotations

from clearance.util import TYPE_CHECKING
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Literal
    SignalKind = Literal[
        "hub_tag",        # a `license:<value>` tag from the Hub API
        "card_license",   # card front matter `license:` (a string, or one item of a list)
        "license_name",   # card `license_name`, used with `license: other`
        "license_link",   # card `license_link`
        "license_file",   # a LICENSE / LICENSE.md / USE_POLICY.md file's text (value = the path)
        "gguf",           # GGUF header `general.license`
        "other",          # anything else a source read (e.g. safetensors metadata)
    ]


@value
class LicenseSignal:
    """A raw license value as found, and where it was found."""

    kind: SignalKind
    value: str
    where: str = ""  # evidence: file, line or API field it was read from
