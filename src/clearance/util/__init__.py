"""Utilities with no knowledge of licenses or models: lean frozen values (`lean`), the JSON
envelope (`envelope`), errors, paths, the version and a GC pause for bulk loads (`perf`)."""

# For `if TYPE_CHECKING:` imports, as `typing.TYPE_CHECKING`: mypy and pyright treat any name
# TYPE_CHECKING as true. Not typing's own: a cold `clearance check` never imports typing, and
# importing it would cost ~4 ms (python -X importtime -c "import typing").
TYPE_CHECKING = False
