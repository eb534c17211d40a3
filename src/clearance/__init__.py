"""Clearance: what may you do with an open AI model, and why."""

__version__ = "0.1.0"
