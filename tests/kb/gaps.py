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
