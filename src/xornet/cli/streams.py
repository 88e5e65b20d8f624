"""``-`` on the command line: which of one command's options may use the standard streams.

What ``-`` means when a file is read or written lives in :mod:`xornet.io.files` (standard
input, standard output). This module checks a command's options before any work is done:

- standard input can be read once, so at most one option may be ``-`` for reading
  (``xornet predict - --csv -`` is refused);
- standard output holds one document, so at most one option may put data there: a ``-``
  output, or ``--json`` (``xornet train --save - --json`` is refused);
- an output is never one of the inputs (``files.refuse_overwriting``: ``--save d.csv``
  with ``--csv d.csv`` is refused);
- an option that names a folder, or a file whose kind comes from its name (``--plot``,
  ``--animate``), cannot be ``-``, so a folder or file literally named ``-`` is never made.

Once an output is ``-``, standard output carries data: every line meant for a person (the
tables, the story, "wrote …") goes to standard error instead, so that
``xornet train --save - | xornet show -`` works. ``render.console()`` asks
:func:`stdout_is_data`.
"""

from xornet.errors import XornetError
from xornet.io import files

_state = {"stdout_is_data": False}


def reset():
    """Forget the last command's streams (each command starts with stdout for people)."""
    _state["stdout_is_data"] = False


def stdout_is_data():
    """Whether this command writes data to standard output, so people's lines go to stderr."""
    return _state["stdout_is_data"]


def check(reads=(), writes=(), json_out=False, not_streams=()):
    """Refuse ``-`` where it cannot work, before anything is read or written.

    Parameters
    ----------
    reads, writes : sequence of (flag, value)
        The command's options that read a file (a model, a CSV) and that write one; a value
        may be None (not given).
    json_out : bool
        Whether ``--json`` was given: its document goes to standard output.
    not_streams : sequence of (flag, value, what)
        Options that cannot be ``-``, and what they take instead, e.g. "a folder, such as
        figures".
    """
    for flag, value, what in not_streams:
        if files.is_stdio(value):
            raise XornetError(f"{flag}: takes {what}, not '-' (standard output); give one.")
    stdin = [flag for flag, value in reads if files.is_stdio(value)]
    if len(stdin) > 1:
        raise XornetError(f"{stdin[1]}: standard input is already read by {stdin[0]}, and it "
                          "can be read only once; give one of them a file path.")
    stdout = [flag for flag, value in writes if files.is_stdio(value)]
    both = stdout + (["--json"] if json_out else [])
    if len(both) > 1:
        raise XornetError(f"{both[1]}: {both[0]} already writes to standard output, which holds "
                          "one document; write one of them to a file.")
    files.refuse_overwriting(reads, writes)
    _state["stdout_is_data"] = bool(stdout)
