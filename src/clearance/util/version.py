"""The package version, in the lowest layer: every layer may name it (`clearance --version`,
the server's headers, BOM tool metadata, the KB cache key)."""

__version__ = "0.1.0"
