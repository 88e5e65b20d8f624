"""``-`` on the command line: standard input for models and CSV data, standard output for
``--save``, ``--out`` and sweep's ``--csv``.

The oracle of every round trip is the same command with real files: the bytes on standard
output must equal the bytes of the file, and what a command prints from piped input must
equal what it prints from the file. Also: nothing but the data is on standard output, a
file named ``-`` is never created, the limits hold for standard input, and the mistakes
(standard input twice, two documents on standard output, ``-`` for a folder) are one line.
A few tests run real pipes between processes, and a pseudo-terminal for the terminal cases.
"""

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.io import modelfile

runner = CliRunner()
XOR_CSV = b"a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
SRC = str(Path(xornet.__file__).resolve().parents[1])


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Every test runs in an empty folder, and ends by checking that no "-" was made there."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / "-").exists()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def run_ok(*args, input=None):
    result = run(*args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def assert_one_error(result, *fragments):
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xornet: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture
def model(in_tmp):
    run_ok("train", "--save", "m.json", "-q")
    return in_tmp / "m.json"


# --- standard output ----------------------------------------------------------------------

def test_train_save_dash_writes_the_model_file_and_nothing_else(in_tmp):
    to_file = run_ok("train", "--save", "m.json", "--seed", "3")
    piped = run_ok("train", "--save", "-", "--seed", "3")
    assert piped.stdout_bytes == (in_tmp / "m.json").read_bytes()  # the file, byte for byte
    # the report went to stderr, line for line what a file save prints on stdout
    def same(text):  # the run's wall time is the one thing that differs
        return re.sub(r"\d+\.\d ms", "… ms", text.replace("standard output", "m.json"))

    assert same(piped.stderr) == same(to_file.stdout)
    assert "Truth table" in piped.stderr and "model saved to standard output" in piped.stderr
    json.loads(piped.stdout)  # one JSON document


def test_show_predict_and_logic_read_the_model_from_standard_input(model):
    data = model.read_bytes()
    for command in (["show"], ["predict", "1", "0"], ["logic"], ["check", "--dataset", "xor"],
                    ["show", "--json"], ["doctor"], ["explain", "--input", "1,0", "--target", "1"]):
        from_file = run_ok(command[0], model.name, *command[1:])
        piped = run_ok(command[0], "-", *command[1:], input=data)
        if command[0] in ("show", "predict"):
            assert piped.stdout == from_file.stdout, command
        else:  # these name the model; a shorter name may wrap a title less
            expected = from_file.stdout.replace(model.name, "standard input")
            assert piped.stdout.split() == expected.split(), command


def test_a_csv_from_standard_input_gives_what_the_file_gives(model, in_tmp):
    (in_tmp / "xor.csv").write_bytes(XOR_CSV)
    assert run_ok("predict", model, "--csv", "-", input=XOR_CSV).stdout == \
        run_ok("predict", model, "--csv", "xor.csv").stdout
    piped = json.loads(run_ok("train", "--csv", "-", "--json", input=XOR_CSV).stdout)
    from_file = json.loads(run_ok("train", "--csv", "xor.csv", "--json").stdout)
    assert piped["weights"] == from_file["weights"] and piped["rows"] == from_file["rows"]
    assert piped["dataset"] == "standard input (a, b → y)"
    assert from_file["dataset"] == "xor.csv (a, b → y)"


def test_train_from_a_piped_model_continues_it_as_from_the_file(model):
    piped = json.loads(run_ok("train", "--from", "-", "--json", input=model.read_bytes()).stdout)
    from_file = json.loads(run_ok("train", "--from", model, "--json").stdout)
    assert piped["weights"] == from_file["weights"]


def test_a_pipe_from_train_to_show_in_one_process_chain(model):
    saved = run_ok("train", "--save", "-").stdout_bytes
    assert run_ok("show", "-", input=saved).stdout == run_ok("show", model).stdout


@pytest.mark.parametrize("fmt", ["onnx", "safetensors", "npz"])
def test_export_to_standard_output_is_the_exported_file(model, in_tmp, fmt):
    run_ok("export", model, "--out", f"m.{fmt}")
    piped = run_ok("export", model, "--out", "-", "--format", fmt)
    assert piped.stdout_bytes == (in_tmp / f"m.{fmt}").read_bytes()
    assert piped.stderr.startswith(f"wrote standard output: {fmt}, 2-2-1")


def test_import_from_standard_input_to_standard_output(model, in_tmp):
    run_ok("export", model, "--out", "m.npz")
    run_ok("import", "m.npz", "--out", "back.json")
    piped = run_ok("import", "-", "--format", "npz", "--out", "-",
                   input=(in_tmp / "m.npz").read_bytes())
    doc, expected = json.loads(piped.stdout), json.loads((in_tmp / "back.json").read_text())
    assert doc["training"] == {"imported_from": "standard input"}
    assert expected["training"] == {"imported_from": "m.npz"}
    doc.pop("training"), expected.pop("training")
    assert doc == expected
    assert piped.stderr.startswith("wrote standard output from standard input: 2-2-1")


def _without_timing(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    timing = {"setup_time", "compile_time", "train_time", "diagnose_time"}
    return [{k: v for k, v in row.items() if k not in timing} for row in rows]


def test_sweep_csv_dash_writes_the_csv_file_and_the_table_goes_to_stderr(in_tmp):
    args = ("sweep", "--hidden", "2,3", "--seeds", "6", "--epochs", "300", "--backend", "numpy")
    to_file = run_ok(*args, "--csv", "cells.csv")
    piped = run_ok(*args, "--csv", "-")
    assert piped.stdout.splitlines()[0].split(",")[:3] == ["index", "hidden", "activation"]
    rows = _without_timing(piped.stdout)
    assert rows == _without_timing((in_tmp / "cells.csv").read_text())  # sha256 included
    assert len(rows) == 2 and rows[0]["params_sha256"] != rows[1]["params_sha256"]
    assert "Sweep" in piped.stderr and "wrote standard output" in piped.stderr
    assert "Sweep" in to_file.stdout


# --- limits -------------------------------------------------------------------------------

def test_the_model_file_limit_holds_for_standard_input(monkeypatch, model):
    data = model.read_bytes()
    monkeypatch.setattr(modelfile, "MAX_BYTES", len(data))
    assert run("show", "-", input=data).exit_code == 0  # at the limit
    assert_one_error(run("show", "-", input=data + b" "), "standard input: holds more than")


def test_the_csv_limit_holds_for_standard_input(monkeypatch, model):
    from xornet.io import csvdata

    monkeypatch.setattr(csvdata, "MAX_BYTES", len(XOR_CSV) - 1)
    assert_one_error(run("predict", model, "--csv", "-", input=XOR_CSV),
                     "standard input: holds more than", "CSV file")


def test_an_empty_standard_input_is_one_sentence():
    assert_one_error(run("show", "-", input=b""), "standard input: is empty")
    assert_one_error(run("train", "--csv", "-", input=b""), "standard input: the file is empty")


# --- mistakes -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, fragments", [
    (["predict", "-", "--csv", "-"], ["--csv: standard input is already read by MODEL"]),
    (["train", "--csv", "-", "--from", "-"], ["--from: standard input is already read by --csv"]),
    (["logic", "-", "--csv", "-"], ["read only once"]),
    (["doctor", "-", "--csv", "-"], ["read only once"]),
    (["explain", "-", "--csv", "-"], ["read only once"]),
    (["plot", "-", "--csv", "-"], ["read only once"]),
    (["train", "--save", "-", "--json"], ["--json: --save already writes to standard output"]),
    (["sweep", "--seeds", "2", "--csv", "-", "--json"], ["--json: --csv already writes"]),
    (["train", "--plot", "-"], ["--plot: takes a folder", "not '-'"]),
    (["train", "--animate", "-"], ["--animate: takes a file name"]),
    (["sweep", "--seeds", "2", "--plot", "-"], ["--plot: takes a folder"]),
    (["plot", "builtin:xor-step", "--out", "-"], ["--out: takes a folder"]),
    (["animate", "--out", "-"], ["--out: takes a file name"]),
    (["export", "builtin:xor-step", "--out", "-"], ["--format:", "give the format"]),
    (["import", "-", "--out", "x.json"], ["--format:", "safetensors or npz"]),
])
def test_impossible_uses_of_dash_are_one_sentence(args, fragments, in_tmp):
    assert_one_error(run(*args, input=XOR_CSV), *fragments)
    assert list(in_tmp.iterdir()) == []  # nothing written, no folder or file named "-"


# --- real pipes and terminals ---------------------------------------------------------------

def _xornet(*args, **kwargs):
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "xornet", *args], env=env, timeout=300,
                          **kwargs)


def test_train_piped_into_show_between_processes(in_tmp):
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "100"}
    train = subprocess.Popen([sys.executable, "-m", "xornet", "train", "--save", "-"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    show = subprocess.run([sys.executable, "-m", "xornet", "show", "-"], stdin=train.stdout,
                          capture_output=True, env=env, timeout=300)
    train.stdout.close()
    report = train.communicate(timeout=300)[1].decode()
    assert train.returncode == 0 and show.returncode == 0, (report, show.stderr)
    _xornet("train", "--save", "m.json", capture_output=True, check=True)
    assert show.stdout == _xornet("show", "m.json", capture_output=True).stdout
    assert "Truth table" in report


def _with_terminal(args, stream):
    """Run xornet with its stdin or stdout on a pseudo-terminal; (exit code, stderr, output
    the terminal received)."""
    controller, terminal = pty.openpty()
    try:
        stdin = terminal if stream == "stdin" else subprocess.DEVNULL
        stdout = terminal if stream == "stdout" else subprocess.PIPE
        done = _xornet(*args, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
        os.set_blocking(controller, False)
        try:
            seen = os.read(controller, 65536)
        except (BlockingIOError, OSError):
            seen = b""
    finally:
        os.close(terminal)
        os.close(controller)
    return done.returncode, done.stderr.decode(), seen


def test_binary_export_is_refused_on_a_terminal_and_text_is_not():
    code, err, seen = _with_terminal(
        ["export", "builtin:xor-step", "--out", "-", "--format", "onnx"], "stdout")
    assert code == 2 and seen == b""
    assert err.startswith("xornet: error: --out: standard output is a terminal")
    assert len(err.strip().splitlines()) == 1
    code, err, seen = _with_terminal(["import", "-", "--out", "-", "--format", "npz"], "stdin")
    assert code == 2 and "standard input: is a terminal" in err  # refused, not waited on


def test_a_reader_that_leaves_early_ends_the_command_quietly():
    # (the training takes far longer than closing the pipe, so the write always meets it)
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen([sys.executable, "-m", "xornet", "train", "--save", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # before the model is written: the write meets a closed pipe
    err = proc.communicate(timeout=300)[1].decode()
    assert proc.returncode == 1, err  # click's exit for a closed pipe, with no message
    assert "Traceback" not in err and "error" not in err.lower()
