"""Reading and writing files without ever hanging on one or destroying one.

Every file xornet reads goes through :func:`read_bytes` and every file it writes through
:func:`write_atomic`, so one set of rules holds for model files, CSV data, pictures,
animations and results:

- **Only regular files.** A folder, a FIFO, a device or a socket given as a path is refused
  with one sentence: reading a FIFO would block for ever, and renaming over a device node
  would replace it with a plain file.
- **Symlinks are followed.** Writing to a link writes its target, atomically, and the link
  stays a link (a rename over the link itself would turn it into a plain file and leave the
  target stale).
- **Atomic.** The bytes go to a temporary file in the target's folder, are flushed to disk,
  then replace the target in one rename: an interrupted or failed write leaves the old file
  exactly as it was, and no temporary file behind.
- **Bounded.** A read takes at most ``limit`` bytes; sizes are checked before anything is
  read or written.
- **Never over an input.** A command that reads files and writes files refuses, before any
  work, an output that is one of its inputs (:func:`refuse_overwriting`): the same file
  under another name, through a symlink or a hard link, included. Otherwise
  training on d.csv and saving the model as d.csv would replace the data with it.
- **``-`` is the standard stream**, as Unix tools have it: reading ``"-"`` reads standard
  input (with the same limit: at most ``limit`` + 1 bytes are taken, then refused), writing
  ``"-"`` writes standard output (the whole content at once, after it was made, so a failed
  write puts nothing half-made on the stream). This module is the one place that knows it;
  a file really named ``-`` is written as ``./-``.

Messages name the user's path, never a temporary file.
"""

import contextlib
import io
import os
import stat
import sys
import tempfile

from xornet.errors import XornetError

STDIO = "-"  # as a path: standard input to read, standard output to write


def is_stdio(path):
    """Whether ``path`` is ``"-"``, the standard stream (the string only: a ``Path("-")``
    names a file)."""
    return isinstance(path, str) and path == STDIO


def label(path, writing=False):
    """``path`` as messages name it: the file's path, or "standard input" / "standard output"
    for ``-``."""
    if is_stdio(path):
        return "standard output" if writing else "standard input"
    return os.fspath(path)


def check_path(path, field):
    """``path`` as a string, or XornetError when it is empty or not a path at all."""
    try:
        name = os.fspath(path)
    except TypeError:
        raise XornetError(f"{field}: expected a file path; received {path!r}.") from None
    if not isinstance(name, str) or not name.strip():
        raise XornetError(f"{field}: the path is empty; give a file name.")
    if "\0" in name:
        raise XornetError(f"{field}: {name!r} holds a NUL character, which no path may; "
                          "fix the path.")
    return name


def read_bytes(path, limit, kind="file", field="path"):
    """The bytes of the regular file at ``path`` (at most ``limit`` of them).

    The file is opened without blocking and checked with ``fstat`` on the open descriptor,
    so a FIFO is refused instead of waited on, and a file swapped after a check is still the
    one checked. ``"-"`` reads standard input, at most ``limit`` + 1 bytes of it.
    """
    if is_stdio(path):
        return _read_stdin(limit, kind)
    name = check_path(path, field)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise XornetError(f"{name}: no such {kind}; check the path.") from None
    except OSError as e:
        raise XornetError(f"{name}: cannot be read ({e.strerror}); check the path and its "
                          "permissions.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise XornetError(f"{name}: is a directory (a folder), not a {kind}; give the path "
                              "of a file.")
        raise XornetError(f"{name}: is {_kind_of(info.st_mode)}, not a regular file; give the "
                          f"path of a {kind}.")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > limit:
            raise_too_large(name, info.st_size, limit, kind)
        try:
            data = f.read(limit + 1)  # the file may have grown since the fstat
        except OSError as e:
            raise XornetError(f"{name}: cannot be read ({e.strerror}).") from None
    if len(data) > limit:
        raise_too_large(name, len(data), limit, kind)
    return data


def _read_stdin(limit, kind):
    stream = sys.stdin
    if stream is None or stream.closed:
        raise XornetError(f"standard input: is closed, so there is no {kind} to read from '-'; "
                          "pipe one in or give its path.")
    if stream.isatty():  # a person would be left waiting at a silent prompt
        raise XornetError(f"standard input: is a terminal, so '-' has no {kind} to read; pipe "
                          f"one in (… | xornet …, or < FILE) or give its path.")
    binary = getattr(stream, "buffer", None)
    try:
        data = binary.read(limit + 1) if binary is not None else \
            stream.read(limit + 1).encode("utf-8")
    except OSError as e:
        raise XornetError(f"standard input: cannot be read ({e.strerror or e}).") from None
    if len(data) > limit:  # only limit + 1 bytes were taken: the rest is never read
        raise XornetError(f"standard input: holds more than the {_mb(limit)} a {kind} may be; "
                          f"check that this is a {kind}.")
    return data


def raise_too_large(name, n_bytes, limit, kind):
    raise XornetError(f"{name}: is {n_bytes:,} bytes, more than the {_mb(limit)} a {kind} may "
                      f"be; check that this is a {kind}.")


def writable_target(path, field="path", binary=False):
    """The real path a write to ``path`` replaces: symlinks followed; refused unless it is
    a regular file or does not exist yet, in a folder that exists.

    For ``"-"`` it is ``"-"``, standard output; ``binary`` content is refused there while
    standard output is a terminal (it would print as garbage and may upset the terminal).
    """
    if is_stdio(path):
        if binary and sys.stdout is not None and sys.stdout.isatty():
            raise XornetError(f"{field}: standard output is a terminal, and this file is binary; "
                              "redirect it (> FILE) or pipe it into a program, or give a file "
                              "name.")
        return STDIO
    name = check_path(path, field)
    target = os.path.realpath(name)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise XornetError(f"{name}: cannot be written ({e.strerror}); check the path.") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise XornetError(f"{name}: is a folder, so it was left unchanged; give a file name "
                          "inside it to write to.")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise XornetError(f"{name}: is {_kind_of(info.st_mode)}, not a regular file, so it "
                          "was left alone; give the path of a file to write.")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise XornetError(f"{name}: cannot write there, the folder {os.path.dirname(name) or '.'} "
                          "does not exist; check that the folder exists (or create it).")
    return target


def same_file(a, b):
    """Whether the paths ``a`` and ``b`` name one existing file (symlinks followed, hard links
    included); False when either does not exist or is ``-``."""
    if a is None or b is None or is_stdio(a) or is_stdio(b):
        return False
    try:
        return os.path.samefile(a, b)
    except (OSError, TypeError, ValueError):  # a path that does not exist (yet), or no path
        return False


def refuse_overwriting(reads, writes):
    """XornetError, before any work, when an output is one of the inputs.

    ``reads`` and ``writes`` are sequences of ``(flag, path)``: the options a command reads
    files from and the files it will write (a path may be None: not given). The check runs
    on the files as they are now, so it is made before anything is written.
    """
    for out_flag, out in writes:
        for in_flag, source in reads:
            if same_file(source, out):
                raise XornetError(f"{out_flag}: {os.fspath(out)} is the same file as the "
                                  f"input {in_flag} {os.fspath(source)}, and writing it would "
                                  "destroy that input; write to another file.")


def writable_folder(folder, names, field="path", what="the files"):
    """The paths ``folder/NAME`` for ``names``, checked before any work: the folder exists or
    can be made (its nearest existing ancestor is a folder), and each path is a regular file
    or does not exist yet (:func:`writable_target`). ``what`` names the content in messages,
    e.g. "the pictures"."""
    try:
        name = os.fspath(folder)
    except TypeError:
        name = None
    if not isinstance(name, str) or not name.strip():
        raise XornetError(f"{field}: the folder name is empty; give a folder to write {what} "
                          "into, such as figures.")
    name = check_path(name, field)
    if os.path.exists(name) and not os.path.isdir(name):
        raise XornetError(f"{field}: {name} is a file, not a folder; give a folder to write "
                          f"{what} into.")
    ancestor = os.path.abspath(name)
    while not os.path.lexists(ancestor):  # the folders makedirs would create
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        raise XornetError(f"{field}: cannot create the folder {name}, because {ancestor} is not "
                          "a folder; give another folder.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise XornetError(f"{field}: cannot write into {ancestor} (permission denied); give a "
                          "folder you can write to.")
    paths = [os.path.join(name, n) for n in names]
    if os.path.isdir(name):
        for path in paths:
            if os.path.isdir(path):
                raise XornetError(f"{field}: {path} is a folder, where one of {what} would be "
                                  "written; move it away or give another folder.")
            writable_target(path, field)
    return paths


def write_atomic(path, write, field="path", binary=False):
    """Write a file atomically: ``write(f)`` fills a binary file object with the content.

    Returns the real path written (``path`` with its symlinks followed), or ``"-"`` for
    standard output, which gets the whole content in one write once ``write`` has finished
    (``binary`` as in :func:`writable_target`).
    """
    if is_stdio(path):
        writable_target(path, field, binary)
        content = io.BytesIO()
        try:
            write(content)
            _write_stdout(content.getvalue(), binary)
        except BrokenPipeError:
            raise  # the reader has gone (`| head`): click ends the command quietly, exit 1
        except OSError as e:
            raise XornetError(f"standard output: could not be written ({e.strerror or e}); "
                              "give a file name instead.") from None
        return STDIO
    name = check_path(path, field)
    target = writable_target(name, field)
    folder = os.path.dirname(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)  # keep an existing file's permissions
    except OSError:
        mode = 0o644  # mkstemp would leave 0600; these are ordinary files others may read
    try:
        fd, tmp = tempfile.mkstemp(prefix=".xornet-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise XornetError(f"{name}: cannot create a file in {os.path.dirname(name) or '.'} "
                          f"({e.strerror}); check that the folder is writable.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise XornetError(f"{name}: could not be written ({e.strerror or e}); the previous "
                              "file, if any, is unchanged.") from None
        raise
    _sync_folder(folder)
    return target


def _write_stdout(data, binary):
    stream = sys.stdout
    out = getattr(stream, "buffer", None)
    if stream is None or (out is None and binary):  # closed, or a notebook's text-only stream
        raise XornetError("standard output: cannot take this file's bytes here, so '-' was not "
                          "written; give a file name.")
    stream.flush()  # whatever text went before stays before
    if out is not None:
        out.write(data)
        out.flush()
    else:
        stream.write(data.decode("utf-8"))
        stream.flush()


def _sync_folder(folder):
    # The rename is durable only once the folder entry is on disk (POSIX); best effort.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _kind_of(mode):
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _mb(n_bytes):
    return f"{n_bytes / 2**20:.1f} MB" if n_bytes < 10 * 2**20 else f"{n_bytes / 2**20:.0f} MB"
