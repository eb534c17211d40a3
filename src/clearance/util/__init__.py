"""Utilities with no knowledge of licenses or models: lean frozen values (`lean`) and a GC
pause for bulk loads (`perf`)."""
