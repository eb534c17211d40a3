"""The organisation policy: loading clearance.toml and applying it to engine results."""
