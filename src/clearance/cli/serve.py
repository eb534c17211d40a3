"""`clearance serve` and `clearance serve token ...`: the web dashboard and REST API.

The server's own errors (a store that cannot be opened, an unknown token) are ClearanceErrors,
which the root command reports; `_bad_option` turns the plain ValueError of an option the
server's parsers refuse (--expires, --recheck-every) into a usage error.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer

from clearance.cli.common import err, fail
from clearance.cli.run import UsageError

app = typer.Typer(help="The web dashboard and REST API (see docs/server.md).", invoke_without_command=True)
token_app = typer.Typer(help="Bearer tokens for the API's writes.", no_args_is_help=True)
app.add_typer(token_app, name="token")
DbOption = typer.Option("sqlite:///clearance.db", "--db", help="Store URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.")


@contextmanager
def _bad_option():
    try:
        yield
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@app.callback(invoke_without_command=True)
def serve_cmd(
    ctx: typer.Context,
    db: str = DbOption,
    snapshots: list[Path] = typer.Option([], "--snapshot", "-s", help="Snapshot files to resolve lineage from and to analyse (repeatable)."),
    offline: bool = typer.Option(False, "--offline", help="Never call the Hub."),
    hub_endpoint: str = typer.Option(None, "--hub-endpoint", help="The one Hub the server may call (default https://huggingface.co or $HF_ENDPOINT)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes (2 on a two-core machine)."),
    recheck_every: str = typer.Option("24h", "--recheck-every", help="Recheck every inventory item against the sources this often (24h, 30m, 7d; 0: never)."),
    webhook_url: str = typer.Option(None, "--webhook-url", help="POST each change a recheck finds here as JSON, signed with $CLEARANCE_WEBHOOK_SECRET (X-Clearance-Signature: sha256=HEX)."),
) -> None:
    """Serve the dashboard and the REST API (/api/v1, OpenAPI at /openapi.json)."""
    if ctx.invoked_subcommand is not None:
        return
    from clearance.server import Settings, serve
    from clearance.sources.hub import is_offline

    if not 1 <= port <= 65535:
        fail(f"--port {port} is not a TCP port")
    if workers < 1:
        fail(f"--workers {workers}: at least 1")
    from clearance.server.watch import parse_interval

    with _bad_option():
        serve(Settings(db_url=db, snapshots=snapshots, offline=offline or is_offline(), hub_endpoint=hub_endpoint,
                       recheck_every=parse_interval(recheck_every), webhook_url=webhook_url),
              host=host, port=port, workers=workers)


@token_app.command("create")
def serve_token_create(name: str = typer.Argument(..., help="Who or what the token is for (shown in the audit history)."),
                       db: str = DbOption,
                       expires: str = typer.Option(None, "--expires", help="When it stops working: 90d, 12h, 30m or a date (2027-01-31, UTC). Default: never.")) -> None:
    """Create a write token: printed once on stdout; the store keeps only its hash."""
    from clearance.server import create_token

    with _bad_option():
        token = create_token(db, name, expires)
    print(token)
    err.print(f"token {name!r} created: it is shown only this once", highlight=False)


@token_app.command("list")
def serve_token_list(db: str = DbOption) -> None:
    """List the write tokens: id, prefix, name, status (active, revoked, expired), dates. Never the secret."""
    from clearance.server import list_tokens

    with _bad_option():
        rows = list_tokens(db)
    for t in rows:
        expires = f"expires {t['expires_at']:%Y-%m-%d %H:%M}Z" if t["expires_at"] else "no expiry"
        print(f"{t['id']:>4}  {t['prefix']}  {t['status']:<7}  created {t['created_at']:%Y-%m-%d}  {expires:<27}  {t['name']}")
    if not rows:
        err.print("no tokens yet: `clearance serve token create NAME`", highlight=False)


@token_app.command("revoke")
def serve_token_revoke(token: str = typer.Argument(..., help="The token's id or prefix, as `serve token list` shows them."),
                       db: str = DbOption) -> None:
    """Revoke a write token: running servers refuse it within 2 s; recorded in the audit history."""
    from clearance.server import revoke_token

    with _bad_option():
        gone = revoke_token(db, token)
    err.print(f"token {gone['id']} ({gone['prefix']}, {gone['name']!r}) revoked", highlight=False)
