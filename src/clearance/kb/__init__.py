"""The license knowledge base: curated terms per license, the long tail, and the normalizer."""

from clearance.kb.loader import KBError, KnowledgeBase, default_kb, load
from clearance.kb.terms import CATEGORIES, SCHEMA_VERSION, LicenseTerms

__all__ = ["CATEGORIES", "SCHEMA_VERSION", "KBError", "KnowledgeBase", "LicenseTerms", "default_kb", "load"]
