"""``xornet playground``: the live page on localhost."""

from typing import Annotated

import typer

from xornet.cli import app

Opt = typer.Option


@app.command()
def playground(
    port: Annotated[int, Opt(help="Port to listen on (0: any free port).", min=0, max=65535)] = 8765,  # noqa: E501
    host: Annotated[str, Opt(help="Address to listen on; keep 127.0.0.1 unless you mean to share it.")] = "127.0.0.1",  # noqa: E501
    no_browser: Annotated[bool, Opt("--no-browser", help="Do not open the page in a browser.")] = False,  # noqa: E501
):
    """Train networks live in the browser: data, architecture, play, explain, save."""
    from xornet.playground.server import serve

    serve(host, port, open_browser=not no_browser, echo=typer.echo,
          warn=lambda text: typer.echo(text, err=True))
