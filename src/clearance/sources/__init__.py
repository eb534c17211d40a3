"""Where artifacts come from: local model folders, the Hugging Face cache, the Hub API and
snapshot files, each behind `interface.Source`."""

from clearance.sources.interface import LookupFailed, Record, Source, SourceError

__all__ = ["LookupFailed", "Record", "Source", "SourceError"]
