"""The Typer app: the root command, its groups, and the one place errors are handled.

Every command module only parses its arguments, calls the library and renders; a
`ClearanceError` raised anywhere below (the library's, or `run.UsageError`) is caught once, by
`ClearanceGroup`, and printed as one line on stderr with exit code 2 (never a traceback). Any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from clearance.cli import advise, bom, check, explain, graph, hub, init, license, lock, notice, scan, serve
from clearance.cli.common import err, fit_output, out, print_error
from clearance.util.errors import ClearanceError
from clearance.util.version import __version__


class ClearanceGroup(TyperGroup):
    """The root group: runs every command (subgroups too) and turns a ClearanceError into
    `error: MESSAGE` and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ClearanceError as exc:
            print_error(str(exc))
            raise typer.Exit(2) from None


app = typer.Typer(
    name="clearance",
    cls=ClearanceGroup,
    help="What may you do with an open AI model, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    fit_output()
    if version:
        out.print(f"clearance {__version__}")
        raise typer.Exit(0)


# The commands, in the order `clearance --help` lists them; then the groups.
app.command("check")(check.check_cmd)
app.command("graph")(graph.graph_cmd)
app.command("scan")(scan.scan_cmd)
app.command("bom")(bom.bom_cmd)
app.command("lock")(lock.lock_cmd)
app.command("init")(init.init_cmd)
app.command("notice")(notice.notice_cmd)
app.command("advise")(advise.advise_cmd)
app.command("explain")(explain.explain_cmd)
app.add_typer(license.app, name="license")
app.add_typer(hub.app, name="hub")
app.add_typer(serve.app, name="serve")


def main() -> None:
    """Run the Typer app; the process then ends as any Python program does."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
