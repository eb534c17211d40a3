"""`clearance.lock`: what a project cleared, pinned — the values of a lock (`model`), its TOML
file (`fileformat`: versioned, sorted, diff-friendly) and what changed between two locks
(`diff`). Building a lock from a check run, and catching drift against one, are use cases
(`clearance.usecases.lock`)."""
