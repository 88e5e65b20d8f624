"""The ``xornet`` command line: the only part of xornet that prints or exits.

Each command parses its options, makes one or two library calls and formats the result.
Any ``XornetError`` (and any usage mistake) becomes one line on stderr and exit code 2.
"""

import sys

import typer
from typer import _click  # typer ships its own copy of click; its exceptions live here
from typer.core import TyperGroup

from xornet.cli import streams
from xornet.errors import XornetError

INTERRUPTED = 130  # the exit code of a command stopped by Ctrl+C (128 + SIGINT), as shells use


class _Group(TyperGroup):
    """Turns every error a person can cause into one sentence and exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        streams.reset()  # standard output is for people until a command says otherwise
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        except XornetError as e:
            _fail(str(e))
        except _click.exceptions.NoArgsIsHelpError:
            sys.exit(0)  # plain `xornet`: the help was printed, nothing went wrong
        except _click.exceptions.ClickException as e:
            hint = f" (see '{e.ctx.command_path} --help')" if getattr(e, "ctx", None) else ""
            _fail(f"{e.format_message()}{hint}")
        except typer.Abort:
            _fail("aborted.")
        except OSError as e:  # e.g. a full disk while writing: say it, never a traceback
            _fail(f"{getattr(e, 'filename', None) or 'file'}: {e.strerror or e}.")
        except KeyboardInterrupt:  # Ctrl+C outside a command's own handling
            code = INTERRUPTED
        code = code if isinstance(code, int) else 0
        if code == INTERRUPTED:  # typer turns Ctrl+C into exit code 130, silently
            typer.echo("xornet: interrupted (Ctrl+C); stopped before finishing, nothing "
                       "more was written.", err=True)
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message):
    typer.echo(f"xornet: error: {message}", err=True)
    sys.exit(2)


app = typer.Typer(
    cls=_Group,
    name="xornet",
    help="Learn, teach and study how a neural network learns XOR.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from xornet import __version__

        typer.echo(f"xornet {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", "-V", is_eager=True,
                                 callback=_print_version, help="Print the version and exit."),
) -> None:
    """Learn, teach and study how a neural network learns XOR."""


# Each command module registers its commands on `app` when it is imported.
from xornet.cli import doctor, explain, export, fractal, inits, landscape, logic, models, playground, plot, separable, sweep, train  # noqa: E402, F401, E501, I001


def main() -> None:
    """Entry point of the ``xornet`` console script."""
    try:
        app()
    except SystemExit as e:
        _end_now(e.code)
        raise


def _end_now(code):
    """After the compiled kernel was loaded, Python's own shutdown takes a further ~0.3 s
    (numba and LLVM freeing their objects one by one) and does nothing a finished command
    needs: its files are closed and synced (``xornet.io.files``), its pools shut down. So
    the output is flushed and the process ends at once, with the same exit code."""
    import os

    if "numba" not in sys.modules or not (code is None or isinstance(code, int)):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the normal shutdown report it
        return
    os._exit(code or 0)
