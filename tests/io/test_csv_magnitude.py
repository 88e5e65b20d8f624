"""A CSV value too large to compute with is refused in one sentence naming its line and
column, instead of a NumPy overflow warning (and a failed picture) later.

Oracle: float64's largest number is about 1.8e308, so a square overflows above its square
root, about 1.34e154 (computed here from np.finfo); the limit 1e150 is below that, and
1e308 (the reviewer's file) is far above."""

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from xornet.cli import app
from xornet.errors import XornetError
from xornet.io import csvdata

runner = CliRunner()


def test_the_limit_keeps_a_square_finite():
    assert np.finfo(np.float64).max > csvdata.MAX_MAGNITUDE ** 2
    assert math.sqrt(np.finfo(np.float64).max) > 1e154 > csvdata.MAX_MAGNITUDE


@pytest.mark.parametrize("cell", ["1e151", "-2e200", "1e308", "1" + "0" * 151])
def test_a_value_beyond_the_limit_is_refused_naming_line_and_column(tmp_path, cell):
    path = tmp_path / "big.csv"
    path.write_text(f"a,b,y\n0,1,1\n1,{cell},0\n")
    with pytest.raises(XornetError, match=r"line 3, column 'b': .* larger than the 1e150"):
        csvdata.load_csv(str(path))


def test_a_value_at_the_limit_is_read(tmp_path):
    path = tmp_path / "edge.csv"
    path.write_text("a,b,y\n1e150,-1e150,1\n0,1,0\n")
    X, y, _, _ = csvdata.load_csv(str(path))
    assert X[0, 0] == 1e150 and X[0, 1] == -1e150 and y[1, 0] == 0.0


def test_train_says_one_sentence_instead_of_a_warning(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b,y\n1e308,1e308,1\n0,1,0\n1,0,0\n-1e308,1,1\n")
    result = runner.invoke(app, ["train", "--csv", str(path), "-q"])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert "line 2, column 'a'" in result.output and "Warning" not in result.output
