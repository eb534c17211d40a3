"""What the knowledge base does not cover yet: the open part of the curation work (issue 2).

A static list on purpose: the coverage tests mark these as expected failures (strict), so a
newly curated license makes its test pass *unexpectedly* and fail the suite until it is
removed from here. The list can only shrink; nothing here hides a regression elsewhere.
"""

HUB_IDS = frozenset("""
h-research
""".split())

SCANCODE_KEYS: frozenset[str] = frozenset()

LICENSE_NAMES: frozenset[str] = frozenset()

# Licenses whose text no copy on this machine or in any stored repository gave us (only on
# huggingface.co or the publisher's site, unreachable here): their terms are not anchored yet.
UNANCHORED = frozenset("""
falcon-180b-1.0
intel-research
nvidia-open-model-2024-06-14
tii-falcon-license-2024-12
""".split())
