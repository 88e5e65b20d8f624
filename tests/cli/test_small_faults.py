"""Small things a person types: negative inputs without "--", digits of other scripts (one
rule for the command line and CSV files: ASCII digits), numbers that do not fit a float64."""

import pytest
from typer.testing import CliRunner

from xornet.cli import app
from xornet.io import csvdata

runner = CliRunner()


def test_negative_inputs_need_no_double_dash():
    # builtin:xor-step: h1 = OR fires when x1 + x2 − 0.5 ≥ 0; with (−1, 2): 0.5 ≥ 0 → 1;
    # h2 = AND fires when x1 + x2 − 1.5 ≥ 0: −0.5 → 0; ŷ = h1 AND NOT h2 = 1
    result = runner.invoke(app, ["predict", "builtin:xor-step", "-1", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "-1 2 → 1.000000"
    # (−1, −1): h1: −2.5 < 0 → 0, so ŷ = 0
    result = runner.invoke(app, ["predict", "builtin:xor-step", "-1", "-1", "--json"])
    assert result.exit_code == 0 and '"outputs"' in result.output


@pytest.mark.parametrize("text", ["١", "٠.٥", "１", "nan", "inf", "1e999x", ""])
def test_the_command_line_and_the_csv_reader_share_one_rule_for_numbers(tmp_path, text):
    result = runner.invoke(app, ["predict", "builtin:xor-step", text, "0"])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    path = tmp_path / "d.csv"
    path.write_text(f"a,b,y\n{text},0,1\n0,0,0\n", encoding="utf-8")
    assert not csvdata.is_number(text)
    result = runner.invoke(app, ["train", "--csv", str(path), "--epochs", "1", "-q"])
    assert result.exit_code == 2


@pytest.mark.parametrize("text", ["1", "-1.5", "+2", ".5", "2e-3", " 3 "])
def test_ordinary_numbers_are_numbers_everywhere(text):
    assert csvdata.is_number(text)
    result = runner.invoke(app, ["predict", "builtin:xor-step", text, "0"])
    assert result.exit_code == 0, result.output


def test_a_number_too_large_for_float64_is_refused():
    result = runner.invoke(app, ["predict", "builtin:xor-step", "1e999", "0"])
    assert result.exit_code == 2 and "not a finite number" in result.output
