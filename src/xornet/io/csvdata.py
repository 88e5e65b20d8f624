"""Reading the user's own CSV file, with a message naming the file, line and column of a fault.

The file is a header line of column names followed by rows of plain decimal numbers. Whatever
bytes the file holds, the only exception that leaves :func:`load_csv` is ``XornetError``.
"""

import csv
import io
import os

import numpy as np

from xornet.core import numbers
from xornet.errors import XornetError
from xornet.io import files

MAX_BYTES = 50 * 1024 * 1024  # checked before reading, so a huge file never fills memory
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
# The largest magnitude a cell may have. A network squares and sums what it is given (the
# loss squares its outputs, a picture spans the data's range), and float64 ends near 1.8e308,
# so a value above about 1.3e154 (its square root) overflows there; 1e150 leaves room.
MAX_MAGNITUDE = 1e150  # the messages below say 1e150

# Plain decimal numbers only, the rule of xornet.core.numbers (as on the command line).
_NUMBER = numbers.NUMBER
_NUMBER_CHARS = frozenset("0123456789+-.eE \t")  # a row made only of these may take the fast path
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity",
               "-infinity"}


def load_csv(path, target=None):
    """Read a numeric CSV file with a header line into float64 arrays.

    Parameters
    ----------
    path : str or os.PathLike
        The file (``"-"``: standard input). A UTF-8 byte-order mark is accepted; blank lines
        are skipped.
    target : str or None
        Name of the target column; None means the last column.

    Returns
    -------
    X : ndarray, shape (n_rows, n_columns - 1)
        Every column except the target, in file order.
    y : ndarray, shape (n_rows, 1)
    feature_names : list of str
    target_name : str

    Raises
    ------
    XornetError
        For a missing, unreadable, oversized or non-text file and for any bad header or cell;
        the message names the file, the 1-based line (the header is line 1) and the column.
    """
    source = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(source, str):
        raise XornetError(f"csv path: received {path!r}; give the path of a CSV file as text.")
    text = _read_text(source)  # "-" is standard input
    source = files.label(source)  # how the messages below name it
    records = _records(source, text)
    header = _header(source, next(records, None))
    rows = _rows(source, header, records)
    data = np.vstack(rows)  # (n_rows, n_columns)

    if target is None:
        t = len(header) - 1
    elif isinstance(target, str) and target.strip() in header:
        t = header.index(target.strip())
    else:
        raise XornetError(
            f"{source}: no column named {target!r}; choose the target from {', '.join(header)}."
        )
    features = [i for i in range(len(header)) if i != t]
    return data[:, features], data[:, [t]], [header[i] for i in features], header[t]


def check_features(X, n_expected, source):
    """Raise XornetError unless ``X`` has ``n_expected`` feature columns.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    n_expected : int
        The number of inputs the model takes.
    source : str
        What the data is called in the message, e.g. the file name.
    """
    shape = np.shape(X)
    found = shape[1] if len(shape) == 2 else None
    if found == n_expected:
        return
    want = _count(n_expected, "feature column")
    if found is None:
        raise XornetError(
            f"{source} is not a table (shape {shape}); give data with {want}."
        )
    raise XornetError(
        f"{source} has {_count(found, 'feature column')} but the model expects "
        f"{_count(n_expected, 'input')}; give data with {want}."
    )


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _read_text(path):
    raw = files.read_bytes(path, MAX_BYTES, kind="CSV file", field="csv path")
    source = files.label(path)
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # byte-order mark some spreadsheets write
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = _line_of(raw[: e.start], b"\r", b"\n")
        raise XornetError(
            f"{source}, line {line}: byte 0x{raw[e.start]:02x} is not UTF-8 text, so this is "
            "not a CSV file; save the data as UTF-8 CSV text."
        ) from None
    if "\0" in text:
        line = _line_of(text[: text.index("\0")], "\r", "\n")
        raise XornetError(f"{source}, line {line}: the file holds a NUL byte, so it is binary "
                          "data, not CSV; save the data as CSV text.")
    return text


def is_number(text):
    """Whether ``text`` is a number as xornet reads numbers everywhere (CSV cells, inputs on
    the command line): ASCII digits, an optional sign, point and exponent; no nan or inf."""
    return numbers.is_number(text)


def _line_of(before, cr, lf):
    # The 1-based line a position is on, counting \r, \n and \r\n as the csv module does.
    return before.count(lf) + before.count(cr) - before.count(cr + lf) + 1


def _records(source, text):
    """Yield (line number, fields) for every non-blank record; the line is where it starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0  # the last physical line read so far
    while True:
        start = end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise XornetError(f"{source}, line {start}: the CSV text cannot be parsed ({e}); "
                              "fix the quoting on this line.") from None
        end = reader.line_num
        # Only a truly blank line is skipped; ",," is a row of empty cells and is reported.
        if len(fields) > 1 or (fields and fields[0].strip()):
            yield start, fields


def _header(source, record):
    if record is None:
        raise XornetError(f"{source}: the file is empty; give a header line of column names "
                          "and rows of numbers.")
    line, fields = record
    names = [f.strip() for f in fields]
    if len(names) > MAX_COLUMNS:
        raise XornetError(f"{source}, line {line}: {len(names)} columns is more than the "
                          f"{MAX_COLUMNS} allowed; give fewer columns.")
    if all(_NUMBER.fullmatch(n) for n in names):
        raise XornetError(f"{source}, line {line}: the first line holds numbers, not column "
                          "names; add a header line such as x1,x2,y.")
    for i, name in enumerate(names):
        if not name:
            raise XornetError(f"{source}, line {line}, column {i + 1}: the column name is "
                              "blank; give every column a name.")
        first = names.index(name)
        if first != i:
            raise XornetError(f"{source}, line {line}, column {name!r}: the name is used by "
                              f"columns {first + 1} and {i + 1}; give each column a unique name.")
    if len(names) < 2:
        raise XornetError(f"{source}, line {line}: there is only the column {names[0]!r}; "
                          "give at least one feature column and a target column.")
    return names


def _rows(source, header, records):
    rows = []
    for line, fields in records:
        if len(fields) != len(header):
            raise XornetError(
                f"{source}, line {line}: expected {len(header)} fields "
                f"({', '.join(header)}) but found {len(fields)}; give one value per column."
            )
        if len(rows) == MAX_ROWS:
            raise XornetError(f"{source}, line {line}: more than {MAX_ROWS} data rows; give "
                              "a smaller file.")
        # One small array per row: Python floats would take three times the memory.
        rows.append(np.array(_parse_row(source, line, header, fields), dtype=np.float64))
    if not rows:
        raise XornetError(f"{source}: there are no data rows below the header (line 1); add "
                          "rows of numbers.")
    return rows


def _parse_row(source, line, header, fields):
    if _NUMBER_CHARS.issuperset("".join(fields)):
        try:
            values = [float(f) for f in fields]
        except ValueError:
            pass  # e.g. an empty cell or "1-2": the slow path below says which
        else:
            if all(abs(v) <= MAX_MAGNITUDE for v in values):  # False for nan and inf too
                return values
    return [_parse_cell(source, line, column, f) for column, f in zip(header, fields, strict=True)]


def _parse_cell(source, line, column, field):
    text = field.strip()
    where = f"{source}, line {line}, column {column!r}"
    if not text:
        raise XornetError(f"{where}: the cell is empty; give a number.")
    if text.lower() in _NON_FINITE:
        raise XornetError(f"{where}: {_short(text)} is not allowed; give a finite number.")
    if not _NUMBER.fullmatch(text):
        raise XornetError(f"{where}: {_short(text)} is not a number.")
    value = float(text)
    if not np.isfinite(value):
        raise XornetError(f"{where}: {_short(text)} is too large for a float64; give a finite "
                          "number.")
    if abs(value) > MAX_MAGNITUDE:
        raise XornetError(f"{where}: {_short(text)} is larger than the 1e150 a value may be "
                          "(the network's squares and sums of it would overflow float64); "
                          "scale the column down, e.g. divide it by its largest value.")
    return value


def _short(text, limit=40):
    # Keep a giant cell from turning the one-sentence message into a page.
    return repr(text if len(text) <= limit else text[:limit] + "...")
