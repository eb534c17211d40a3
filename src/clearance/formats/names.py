"""The `--format` values of every kind of output, defined once: the renderers and the CLI's
choices (`cli.common.choice`) both read them here. A module of names only, so that building
the command line does not import the renderers.
"""

RESULTS = ("text", "json", "markdown", "sarif")  # check, scan (formats.results, formats.scanreport)
GRAPH = ("tree", "json", "dot", "mermaid")  # graph (formats.graph_render)
NOTICE = ("text", "markdown", "json")  # notice, advise (usecases.notice; advise prints text for markdown)
BOM = ("cyclonedx", "spdx")  # bom (CycloneDX 1.6 JSON, SPDX 3.0.1 JSON-LD)
TABLE = ("table", "json", "csv")  # hub's rows (formats.tables)
LICENSE_LIST = ("table", "json")  # license list (formats.licenses)
TEXT_OR_JSON = ("text", "json")  # license show and identify, lock
