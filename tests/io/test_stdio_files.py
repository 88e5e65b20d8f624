"""``-`` as a path in ``xornet.io.files``: standard input to read, standard output to write.

Oracles: the same bytes read from (or written to) a real file with the same call; a stream
written here that counts how many bytes were taken from it; the limit compared by hand.
"""

import io
import sys

import numpy as np
import pytest

import xornet
from xornet.errors import XornetError
from xornet.io import csvdata, files, modelfile

XOR_CSV = b"a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


class CountingBytes(io.RawIOBase):
    """An endless stream of b"x" that remembers how many bytes were taken from it."""

    def __init__(self):
        self.taken = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), 4096)
        buffer[:n] = b"x" * n
        self.taken += n
        return n


class FakeStream(io.TextIOWrapper):
    """A text stream over bytes, as sys.stdin and sys.stdout are, with a chosen isatty."""

    def __init__(self, raw=None, tty=False):
        super().__init__(io.BufferedReader(raw) if raw is not None else io.BytesIO(),
                         encoding="utf-8")
        self.tty = tty

    def isatty(self):
        return self.tty


def stdin_with(monkeypatch, data, tty=False):
    stream = FakeStream(tty=tty)
    stream.buffer.write(data)
    stream.buffer.seek(0)
    monkeypatch.setattr(sys, "stdin", stream)
    return stream


def captured_stdout(monkeypatch, tty=False):
    stream = FakeStream(tty=tty)
    monkeypatch.setattr(sys, "stdout", stream)
    return stream


# --- reading ------------------------------------------------------------------------------

def test_dash_reads_standard_input_as_the_file_would_be_read(monkeypatch, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(XOR_CSV)
    stdin_with(monkeypatch, XOR_CSV)
    assert files.read_bytes("-", 1000) == files.read_bytes(path, 1000) == XOR_CSV


def test_standard_input_at_the_limit_is_read_and_one_byte_more_is_refused(monkeypatch):
    limit = 100
    stdin_with(monkeypatch, b"x" * limit)
    assert files.read_bytes("-", limit) == b"x" * limit
    stdin_with(monkeypatch, b"x" * (limit + 1))
    with pytest.raises(XornetError, match="standard input: holds more than"):
        files.read_bytes("-", limit)


def test_an_endless_standard_input_is_refused_after_limit_plus_one_bytes(monkeypatch):
    raw = CountingBytes()
    monkeypatch.setattr(sys, "stdin", FakeStream(raw))
    with pytest.raises(XornetError, match="more than the") as e:
        files.read_bytes("-", 10_000, kind="model file")
    assert "model file" in str(e.value)
    # the buffer may read ahead by one block, never the whole stream
    assert 10_001 <= raw.taken <= 10_001 + io.DEFAULT_BUFFER_SIZE + 4096


def test_a_terminal_as_standard_input_is_refused_instead_of_waited_on(monkeypatch):
    stdin_with(monkeypatch, XOR_CSV, tty=True)
    with pytest.raises(XornetError, match="standard input: is a terminal"):
        files.read_bytes("-", 1000, kind="CSV file")


def test_a_model_from_standard_input_is_the_model_from_its_file(monkeypatch, tmp_path):
    path = tmp_path / "m.json"
    net = xornet.Network((2, 3, 1), seed=4)
    net.save(path)
    stdin_with(monkeypatch, path.read_bytes())
    piped, stored = xornet.load("-"), xornet.load(path)
    assert np.array_equal(piped.params, stored.params)  # bit for bit
    assert piped.activations == stored.activations


def test_errors_about_standard_input_name_it(monkeypatch):
    stdin_with(monkeypatch, b"{not json")
    with pytest.raises(XornetError, match=r"^standard input: not valid JSON"):
        modelfile.read("-")
    stdin_with(monkeypatch, b"a,b,y\n0,0,0\n0,x,1\n")
    with pytest.raises(XornetError, match=r"^standard input, line 3"):
        csvdata.load_csv("-")


def test_a_csv_from_standard_input_is_the_csv_from_its_file(monkeypatch, tmp_path):
    path = tmp_path / "xor.csv"
    path.write_bytes(XOR_CSV)
    stdin_with(monkeypatch, XOR_CSV)
    X, y, features, target = csvdata.load_csv("-")
    X2, y2, features2, target2 = csvdata.load_csv(path)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert (features, target) == (features2, target2) == (["a", "b"], "y")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.ravel().tolist() == [0, 1, 1, 0]


# --- writing ------------------------------------------------------------------------------

def test_dash_writes_standard_output_the_bytes_a_file_gets(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    out = captured_stdout(monkeypatch)
    net = xornet.Network((2, 2, 1), seed=1)
    net.save("m.json")
    net.save("-")
    assert out.buffer.getvalue() == (tmp_path / "m.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # no file named "-"


def test_a_failed_write_puts_nothing_on_standard_output(monkeypatch):
    out = captured_stdout(monkeypatch)

    def half_then_fail(f):
        f.write(b"half a file")
        raise OSError(28, "No space left on device")

    with pytest.raises(XornetError, match=r"^standard output: could not be written"):
        files.write_atomic("-", half_then_fail)
    assert out.buffer.getvalue() == b""


def test_binary_content_is_refused_on_a_terminal_and_written_to_a_pipe(monkeypatch):
    out = captured_stdout(monkeypatch, tty=True)
    with pytest.raises(XornetError, match="out: standard output is a terminal"):
        files.write_atomic("-", lambda f: f.write(b"\x00\x01"), field="out", binary=True)
    assert out.buffer.getvalue() == b""
    files.write_atomic("-", lambda f: f.write(b"{}\n"), field="out")  # text is fine there
    assert out.buffer.getvalue() == b"{}\n"
    out = captured_stdout(monkeypatch, tty=False)
    files.write_atomic("-", lambda f: f.write(b"\x00\x01"), field="out", binary=True)
    assert out.buffer.getvalue() == b"\x00\x01"


def test_only_the_string_dash_is_a_stream(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = captured_stdout(monkeypatch)
    files.write_atomic(tmp_path / "-", lambda f: f.write(b"a file"))  # a Path names a file
    files.write_atomic("./-", lambda f: f.write(b"also the file"))  # as in Unix tools
    assert (tmp_path / "-").read_bytes() == b"also the file"
    assert out.buffer.getvalue() == b""
    assert files.label("-") == "standard input"
    assert files.label("-", writing=True) == "standard output"
    assert files.label(tmp_path / "-") == str(tmp_path / "-")
