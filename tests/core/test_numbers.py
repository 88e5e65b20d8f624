"""One rule for a number written as text, on the command line as in a CSV cell: ASCII digits,
a sign, a point, an exponent. Python's float() and int() also take other scripts' digits
(float("١") is 1.0), "1_000" and "nan"; xornet refuses them everywhere alike.

Oracle: the accepted texts are compared with float() (which agrees on plain ASCII numbers);
the refused ones are texts float() or int() would take."""

import pytest
from typer.testing import CliRunner

from xornet.cli import app
from xornet.core import initializers, numbers
from xornet.errors import XornetError
from xornet.io import csvdata

runner = CliRunner()
ARABIC_ONE, ARABIC_TWO = "\u0661", "\u0662"  # ١ ٢: Arabic-Indic digits
OTHER_SCRIPTS = [ARABIC_ONE, "\u0967", "\uff11", ARABIC_ONE + ".5", "1e" + ARABIC_TWO]


@pytest.mark.parametrize("text", ["0", "-1.5", "+2", ".5", "3.", "2e-3", "1E+4", " 7 "])
def test_plain_numbers_read_as_float_reads_them(text):
    assert numbers.is_number(text) and csvdata.is_number(text)
    assert numbers.to_float(text) == float(text)


@pytest.mark.parametrize("text", [*OTHER_SCRIPTS, "1_000", "nan", "inf", "0x10", "", "1,5"])
def test_what_float_would_take_but_xornet_refuses(text):
    assert numbers.to_float(text) is None and not csvdata.is_number(text)


def test_whole_numbers():
    assert numbers.to_int("12") == 12 and numbers.to_int("-3") == -3
    for text in (ARABIC_ONE, "1_0", "1.0", "", "\uff11"):  # int() takes the first two
        assert numbers.to_int(text) is None


def test_the_init_scale_follows_the_rule():
    assert initializers.get("uniform:2") is not None
    with pytest.raises(XornetError, match="not a scaled initialiser"):
        initializers.get("uniform:" + ARABIC_ONE)


@pytest.mark.parametrize("args, flag", [
    (["train", "--lr", ARABIC_ONE], "--lr: "),
    (["train", "--lr", f"{ARABIC_ONE},{ARABIC_TWO}"], "--lr: "),
    (["train", "--lr", "1_0"], "--lr: "),
    (["train", "--hidden", ARABIC_TWO], "--hidden: "),
    (["train", "--batch-size", ARABIC_ONE], "--batch-size: "),
    (["train", "--init", "uniform:" + ARABIC_ONE], "uniform:"),
    (["train", "--lr-schedule", f"step:{ARABIC_ONE}0:0.5"], "lr-schedule: "),
    (["train", "--lr-schedule", f"exp:0.{ARABIC_TWO}"], "lr-schedule: "),
    (["inits", "--ranges", ARABIC_ONE], "--ranges: "),
    (["inits", "--hidden", ARABIC_TWO], "--hidden: "),
    (["sweep", "--lr", ARABIC_ONE, "--seeds", "2"], "lr: "),
    (["sweep", "--hidden", ARABIC_TWO, "--seeds", "2"], "hidden: "),
    (["fractal", "--center", f"{ARABIC_ONE},1"], "--center: "),
    (["explain", "--input", f"{ARABIC_ONE},0", "--target", "1"], "--input: "),
])
def test_every_option_refuses_other_scripts_digits(args, flag):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert flag in result.output and result.output.count("\n") == 1, result.output


def test_the_same_options_take_ascii_digits():
    result = runner.invoke(app, ["train", "-q", "--lr", "1,2", "--hidden", "2",
                                 "--init", "uniform:1", "--epochs", "5"])
    assert result.exit_code == 0, result.output
