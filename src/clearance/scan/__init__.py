"""Find the models and datasets a project uses: `clearance scan PATH`.

    from clearance.scan import scan_path, added_lines
    report = scan_path("my-project")                                   # every reference
    report = scan_path("my-project", only_lines=added_lines("my-project", "origin/main"))  # --diff

Each `Reference` says which Hub id, model or dataset, and the file:line where it is written.
Python is read with `ast` (never imported or run), configs (YAML, JSON, TOML, .env), notebooks,
Dockerfiles and shell scripts with readers of their own; see each module for what it matches.

Modules, one job each: `walk` (which files), `hubid` (is it a Hub id), `keys` (which key names
hold ids), `collect` (one place that accepts a candidate), `apis` (the Python APIs), `pyfile`,
`yamlfile`, `jsonfile`, `tomlfile`, `envfile`, `notebook`, `shell`, `dockerfile` (the readers),
`structured` (the key walk the config readers share), `diff` (lines added since a git
revision) and `core` (the wiring).
"""

from clearance.scan.core import scan_path
from clearance.scan.diff import added_lines
from clearance.scan.model import Reference, ScanError, ScanReport

__all__ = ["Reference", "ScanError", "ScanReport", "added_lines", "scan_path"]
