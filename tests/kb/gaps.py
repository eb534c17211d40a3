"""What the knowledge base does not cover yet: the open part of the curation work (issue 2).

A static list on purpose: the coverage tests mark these as expected failures (strict), so a
newly curated license makes its test pass *unexpectedly* and fail the suite until it is
removed from here. The list can only shrink; nothing here hides a regression elsewhere.
"""

HUB_IDS = frozenset("""
h-research openmdw-1.0 openmdw-1.1
""".split())

SCANCODE_KEYS = frozenset("""
openmdw-1.0
""".split())

LICENSE_NAMES: frozenset[str] = frozenset()
