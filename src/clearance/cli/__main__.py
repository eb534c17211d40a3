"""`python -m clearance.cli`: the Typer app, every command (no fast path)."""

from clearance.cli.root import main

main()
