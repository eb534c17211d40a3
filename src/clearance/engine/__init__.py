"""The clearance engine: propagation of license terms along a lineage, findings, verdicts."""
