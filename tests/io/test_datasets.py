"""Tests for xornet.datasets (and the CSV reader it re-exports), each against its own oracle."""

import itertools
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xornet.errors import XornetError
from xornet.io import csvdata, datasets

ROWS = list(itertools.product([0, 1], repeat=2))  # (0,0), (0,1), (1,0), (1,1)
CLOUDS = ["xor-cloud", "circles", "moons", "spiral", "gaussians"]

# ---------------------------------------------------------------- truth tables


def test_truth_table_inputs_are_the_four_rows_in_counting_order():
    assert datasets.TRUTH_TABLE_INPUTS.dtype == np.float64
    assert datasets.TRUTH_TABLE_INPUTS.tolist() == [list(r) for r in ROWS]
    with pytest.raises(ValueError):
        datasets.TRUTH_TABLE_INPUTS[0, 0] = 5.0  # shared by every gate, so read-only


@pytest.mark.parametrize(
    "name, op",
    [
        ("and", lambda a, b: a & b),
        ("or", lambda a, b: a | b),
        ("nand", lambda a, b: 1 - (a & b)),
        ("nor", lambda a, b: 1 - (a | b)),
        ("xor", lambda a, b: a ^ b),
        ("xnor", lambda a, b: 1 - (a ^ b)),
    ],
)
def test_gates_agree_with_pythons_bit_operators(name, op):
    X, y = datasets.load(name)
    assert X.dtype == y.dtype == np.float64
    assert X.shape == (4, 2) and y.shape == (4, 1)
    assert X.tolist() == [list(r) for r in ROWS]
    assert y.ravel().tolist() == [op(a, b) for a, b in ROWS]
    assert datasets.GATE_COLUMNS[name] == "".join(str(op(a, b)) for a, b in ROWS)


def test_all_sixteen_columns_round_trip_and_are_distinct():
    seen = set()
    for i in range(16):
        column = format(i, "04b")
        X, y = datasets.load(column)
        assert X.tolist() == [list(r) for r in ROWS]
        assert "".join(str(int(v)) for v in y.ravel()) == column
        seen.add(y.tobytes())
    assert len(seen) == 16


def test_names_are_case_insensitive_and_column_equals_named_gate():
    reference = datasets.load("xor")
    for name in ["XOR", " Xor ", "0110"]:
        X, y = datasets.load(name)
        assert np.array_equal(X, reference[0]) and np.array_equal(y, reference[1])
    assert datasets.load("XOR-CLOUD")[0].shape == datasets.load("xor_cloud")[0].shape


def test_returned_arrays_are_fresh_copies():
    X, y = datasets.load("and")
    X[:] = 7.0
    y[:] = 7.0
    X2, y2 = datasets.load("and")
    assert X2.tolist() == [list(r) for r in ROWS] and y2.ravel().tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize("n_bits", [1, 2, 3, 5, 12])
def test_parity_is_binary_counting_with_xor_of_bits(n_bits):
    X, y = datasets.load("parity", n_bits=n_bits)
    assert X.shape == (2**n_bits, n_bits) and y.shape == (2**n_bits, 1)
    assert X.dtype == y.dtype == np.float64
    for i in range(2**n_bits):
        assert "".join(str(int(v)) for v in X[i]) == format(i, f"0{n_bits}b")
        assert y[i, 0] == bin(i).count("1") % 2


def test_two_bit_parity_is_xor():
    assert np.array_equal(datasets.load("parity", n_bits=2)[1], datasets.load("xor")[1])


# ---------------------------------------------------------------- sine


def test_sine_is_sin_at_evenly_spaced_points_including_both_ends():
    X, y = datasets.load("sine", n_samples=101)
    assert X.shape == y.shape == (101, 1)
    assert X[0, 0] == -math.pi and X[-1, 0] == math.pi
    np.testing.assert_allclose(np.diff(X[:, 0]), 2 * math.pi / 100, rtol=1e-12)
    assert np.array_equal(y, np.sin(X))  # default noise is 0 for sine
    assert np.array_equal(datasets.load("sine", n_samples=1)[0], [[-math.pi]])


def test_sine_noise_is_gaussian_and_seeded():
    X, y = datasets.load("sine", n_samples=20_000, noise=0.2, seed=3)
    residual = y - np.sin(X)
    assert abs(residual.mean()) < 0.01 and abs(residual.std() - 0.2) < 0.01
    assert np.array_equal(y, datasets.load("sine", n_samples=20_000, noise=0.2, seed=3)[1])


# ---------------------------------------------------------------- clouds


@pytest.mark.parametrize("name", CLOUDS)
def test_cloud_shapes_labels_and_balance(name):
    X, y = datasets.load(name, n_samples=201)
    assert X.shape == (201, 2) and y.shape == (201, 1)
    assert X.dtype == y.dtype == np.float64 and np.isfinite(X).all()
    assert set(y.ravel().tolist()) == {0.0, 1.0}
    assert (y == 0).sum() == 100 and (y == 1).sum() == 101  # n // 2, the rest to class 1
    assert not np.array_equal(y, np.sort(y, axis=0))  # shuffled, not one class then the other
    assert datasets.load(name, n_samples=1)[1].tolist() == [[1.0]]


@pytest.mark.parametrize("name", CLOUDS)
def test_cloud_reproducible_from_seed_and_blind_to_global_rng(name):
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a = datasets.load(name, n_samples=50, seed=7)
    np.random.seed(999)  # a different global state must not change the data
    b = datasets.load(name, n_samples=50, seed=7)
    c = datasets.load(name, n_samples=50, seed=8)
    assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    assert a[0].tobytes() != c[0].tobytes()
    np.random.seed(123)
    assert np.array_equal(np.random.get_state()[1], state)


def test_xor_cloud_labels_follow_the_quadrant_rule():
    X, y = datasets.load("xor-cloud", n_samples=1000)  # noise 0.1: 5 σ from the 0.5 lines
    rule = (X[:, 0] > 0.5) != (X[:, 1] > 0.5)
    assert np.mean(rule == y[:, 0].astype(bool)) > 0.99
    X0, y0 = datasets.load("xor-cloud", n_samples=8, noise=0)
    for point, label in zip(X0.tolist(), y0[:, 0], strict=True):
        a, b = point
        assert (a, b) in ROWS and label == (int(a) ^ int(b))
    assert len({tuple(p) for p in X0.tolist()}) == 4  # every corner is used


def test_circles_inner_class_is_the_small_circle():
    X, y = datasets.load("circles", n_samples=400, noise=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y[:, 0] == 1], 0.5)
    np.testing.assert_allclose(radius[y[:, 0] == 0], 1.0)
    X, y = datasets.load("circles", n_samples=400)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y[:, 0] == 1].mean() < radius[y[:, 0] == 0].mean() - 0.3


def test_moons_lie_on_their_half_circles():
    X, y = datasets.load("moons", n_samples=300, noise=0)
    up, down = X[y[:, 0] == 0], X[y[:, 0] == 1]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0)
    assert (up[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(down[:, 0] - 1, down[:, 1] - 0.5), 1.0)
    assert (down[:, 1] <= 0.5).all()


def test_spiral_arms_are_half_a_turn_apart():
    X, y = datasets.load("spiral", n_samples=300, noise=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r <= 1.0).all()
    # On arm k the angle is 2π·turns·r + π·k; compare on the unit circle to ignore 2π wraps.
    expected = 2 * np.pi * datasets.SPIRAL_TURNS * r + np.pi * y[:, 0]
    actual = np.arctan2(X[:, 1], X[:, 0])
    np.testing.assert_allclose(np.cos(actual), np.cos(expected), atol=1e-9)
    np.testing.assert_allclose(np.sin(actual), np.sin(expected), atol=1e-9)


def test_gaussians_have_the_stated_centres_and_spread():
    X, y = datasets.load("gaussians", n_samples=20_000, noise=0.1)
    spread = math.hypot(datasets.BLOB_SPREAD, 0.1)  # independent normals add in variance
    for label, centre in [(0, -0.5), (1, 0.5)]:
        blob = X[y[:, 0] == label]
        np.testing.assert_allclose(blob.mean(axis=0), [centre, centre], atol=0.02)
        np.testing.assert_allclose(blob.std(axis=0), [spread, spread], rtol=0.03)


def test_noise_option_changes_the_spread():
    X, y = datasets.load("circles", n_samples=2000, noise=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y[:, 0] == 1].std() > 0.2


# ---------------------------------------------------------------- validation


def test_unknown_name_lists_every_name_and_the_column_form():
    with pytest.raises(XornetError) as info:
        datasets.load("xro")
    message = str(info.value)
    assert message.startswith("dataset: unknown name 'xro'")
    assert all(name in message for name in datasets.NAMES)
    assert '"0110"' in message and message.count(".") >= 1 and "\n" not in message


@pytest.mark.parametrize("name", ["0120", "011", "01101", "", None, 6, "xor cloud"])
def test_bad_names_raise(name):
    with pytest.raises(XornetError, match=r"^dataset: "):
        datasets.load(name)


@pytest.mark.parametrize(
    "option, value",
    [
        ("n_samples", 0), ("n_samples", 100_001), ("n_samples", 2.0), ("n_samples", "5"),
        ("n_bits", 0), ("n_bits", 13), ("n_bits", True),
        ("noise", -0.1), ("noise", float("nan")), ("noise", float("inf")), ("noise", "0.1"),
        ("seed", -1), ("seed", 1.5), ("seed", None), ("seed", False),
    ],
)
def test_bad_options_raise_naming_the_field(option, value):
    with pytest.raises(XornetError, match=f"^{option}: ") as info:
        datasets.load("xor", **{option: value})
    assert "\n" not in str(info.value)


def test_option_limits_are_inclusive():
    assert datasets.load("parity", n_bits=12)[0].shape == (4096, 12)
    assert datasets.load("moons", n_samples=100_000)[0].shape == (100_000, 2)
    assert datasets.load("gaussians", noise=0, seed=np.int64(2**40))[0].shape == (200, 2)


def test_describe_lists_loadable_names_with_kinds():
    entries = datasets.describe()
    names = [name for name, _, _ in entries]
    assert len(names) == len(set(names)) and set(names) == set(datasets.NAMES)
    for name, text, kind in entries:
        assert text and "\n" not in text
        assert kind in {"truth table", "regression", "classification"}
        assert datasets.is_boolean(datasets.load(name)[1]) == (kind != "regression")


def test_is_boolean():
    assert datasets.is_boolean(datasets.load("xor")[1])
    assert datasets.is_boolean([[0], [1], [True]])
    assert not datasets.is_boolean(datasets.load("sine")[1])
    assert not datasets.is_boolean([0.0, 0.5])
    assert not datasets.is_boolean([0.0, float("nan")])
    assert not datasets.is_boolean([])
    assert not datasets.is_boolean(["a"])


# ---------------------------------------------------------------- CSV: good files


def _write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def test_csv_reads_xor_like_the_builtin(tmp_path):
    X, y, features, target = csvdata.load_csv(_write(tmp_path, XOR_CSV))
    ref_X, ref_y = datasets.load("xor")
    assert X.dtype == y.dtype == np.float64
    assert np.array_equal(X, ref_X) and np.array_equal(y, ref_y)
    assert features == ["x1", "x2"] and target == "y"
    assert csvdata.load_csv(str(tmp_path / "data.csv"))[2] == ["x1", "x2"]  # str path too


def test_csv_target_by_name_keeps_the_other_columns_in_order(tmp_path):
    X, y, features, target = csvdata.load_csv(_write(tmp_path, XOR_CSV), target="x1")
    assert features == ["x2", "y"] and target == "x1"
    assert X.tolist() == [[0, 0], [1, 1], [0, 1], [1, 0]] and y.ravel().tolist() == [0, 0, 1, 1]


def test_csv_missing_target_lists_the_columns(tmp_path):
    with pytest.raises(XornetError, match=r"no column named 'z'.*x1, x2, y"):
        csvdata.load_csv(_write(tmp_path, XOR_CSV), target="z")


def test_csv_accepts_bom_crlf_spaces_blank_lines_and_number_forms(tmp_path):
    text = "\ufeff a , b ,y\r\n-1.5, .5 ,5.\r\n\r\n+2e3,1E-2,-0\r\n\r\n\r\n"
    X, y, features, target = csvdata.load_csv(_write(tmp_path, text))
    assert features == ["a", "b"] and target == "y"  # no BOM glued to the first name
    assert X.tolist() == [[-1.5, 0.5], [2000.0, 0.01]] and y.ravel().tolist() == [5.0, 0.0]


def test_csv_line_numbers_count_physical_lines_of_quoted_fields(tmp_path):
    path = _write(tmp_path, 'x1,x2,y\n"0\n",1,1\n0,zz,1\n')  # row 1 spans lines 2 and 3
    with pytest.raises(XornetError, match=r"line 4, column 'x2': 'zz' is not a number"):
        csvdata.load_csv(path)


# ---------------------------------------------------------------- CSV: bad files


def test_csv_non_numeric_message_is_exact(tmp_path):
    path = _write(tmp_path, "x1,x2,y\n0,0,0\n0,1,1\n1,abc,1\n")
    with pytest.raises(XornetError) as info:
        csvdata.load_csv(path)
    assert str(info.value) == f"{path}, line 4, column 'x2': 'abc' is not a number."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x1,x2,y\n0,0,0\n0,nan,1\n", ["line 3, column 'x2'", "'nan'", "finite"]),
        ("x1,x2,y\n0,0,0\n0,1,Infinity\n", ["line 3, column 'y'", "finite"]),
        ("x1,x2,y\n-inf,0,0\n", ["line 2, column 'x1'", "finite"]),
        ("x1,x2,y\n1e999,0,0\n", ["line 2, column 'x1'", "'1e999'", "finite"]),
        ("x1,x2,y\n0,,0\n", ["line 2, column 'x2'", "empty"]),
        ("x1,x2,y\n0,0,0\n,,\n", ["line 3, column 'x1'", "empty"]),
        ("x1,x2,y\n1_000,0,0\n", ["line 2, column 'x1'", "'1_000' is not a number"]),
        ("x1,x2,y\n0,0\n", ["line 2", "expected 3 fields", "found 2"]),
        ("x1,x2,y\n0,0,0\n\n0,0,0,1\n", ["line 4", "expected 3 fields", "found 4"]),
        ("", ["empty"]),
        ("\n\n  \n", ["empty"]),
        ("x1,x2,y\n\n", ["no data rows"]),
        ("x1,x1,y\n0,0,0\n", ["line 1, column 'x1'", "columns 1 and 2", "unique"]),
        ("x1, ,y\n0,0,0\n", ["line 1, column 2", "blank"]),
        ("0,1,1\n1,0,1\n", ["line 1", "header"]),
        ("y\n0\n", ["line 1", "at least one feature"]),
        ('x1,x2,y\n"' + "9" * 200_000 + '",0,0\n', ["line 2", "cannot be parsed"]),
    ],
)
def test_csv_errors_name_file_line_and_column(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(XornetError) as info:
        csvdata.load_csv(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    for part in expected:
        assert part in message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00}\x94.", ["line 1", "0x80", "UTF-8"]),
        (b"x1,x2,y\n0,0,0\ncaf\xe9,1,1\n", ["line 3", "0xe9", "UTF-8"]),
        (b"x1,x2,y\n0,0\x00,0\n", ["line 2", "NUL"]),
        (b"x1,x2,y\r0,0,0\r\n\xff,1,1\n", ["line 3", "0xff"]),  # old-Mac and DOS endings
    ],
)
def test_csv_rejects_binary_bytes(tmp_path, content, expected):
    with pytest.raises(XornetError) as info:
        csvdata.load_csv(_write(tmp_path, content))
    for part in expected:
        assert part in str(info.value)


def test_csv_missing_file_and_directory(tmp_path):
    with pytest.raises(XornetError, match="no such CSV file"):
        csvdata.load_csv(tmp_path / "absent.csv")
    with pytest.raises(XornetError, match="is a directory"):
        csvdata.load_csv(tmp_path)
    if os.path.exists(os.devnull):  # a device would read forever or block
        with pytest.raises(XornetError, match="not a regular file"):
            csvdata.load_csv(os.devnull)
    for bad in [123, None, "bad\0name.csv"]:
        with pytest.raises(XornetError, match=r"^csv path: "):
            csvdata.load_csv(bad)


def test_csv_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(csvdata.MAX_BYTES + 1)  # sparse: costs no disk and no time to create
    with pytest.raises(XornetError, match="50 MB"):
        csvdata.load_csv(path)


def test_csv_row_and_column_limits(tmp_path):
    wide = ",".join(f"c{i}" for i in range(1001)) + "\n" + ",".join(["0"] * 1001) + "\n"
    with pytest.raises(XornetError, match="line 1: 1001 columns"):
        csvdata.load_csv(_write(tmp_path, wide))
    # Failing only at line 100002 shows the first 100000 rows were accepted.
    long = "a,b\n" + "0,1\n" * 100_001
    with pytest.raises(XornetError, match="line 100002: more than 100000 data rows"):
        csvdata.load_csv(_write(tmp_path, long))


# ---------------------------------------------------------------- CSV: properties

_ANY_FILE = settings(max_examples=100, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _only_xornet_errors(path):
    try:
        X, y, features, _ = csvdata.load_csv(path)
    except XornetError as e:
        assert str(e).startswith(str(path))
    else:
        assert X.dtype == y.dtype == np.float64 and np.isfinite(X).all() and np.isfinite(y).all()
        assert X.shape == (y.shape[0], len(features)) and y.shape[1] == 1


@_ANY_FILE
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_arrays_or_xornet_error(tmp_path, content):
    _only_xornet_errors(_write(tmp_path, content))


@_ANY_FILE
@given(st.text(alphabet='01-+.eEnaif,x" \n\r\t\ufeff\x00é', max_size=120))
def test_csv_like_text_gives_arrays_or_xornet_error(tmp_path, text):
    _only_xornet_errors(_write(tmp_path, text))


@_ANY_FILE
@given(st.lists(st.lists(st.floats(-csvdata.MAX_MAGNITUDE, csvdata.MAX_MAGNITUDE), min_size=3,
                         max_size=3), min_size=1, max_size=20))  # larger: test_csv_magnitude
def test_written_floats_read_back_exactly(tmp_path, rows):
    text = "a,b,c\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in rows)
    X, y, _, _ = csvdata.load_csv(_write(tmp_path, text))
    assert np.array_equal(np.column_stack([X, y]), np.array(rows))


# ---------------------------------------------------------------- check_features


def test_check_features():
    csvdata.check_features(np.zeros((4, 2)), 2, "data.csv")  # matching: no error
    with pytest.raises(XornetError) as info:
        csvdata.check_features(np.zeros((4, 3)), 2, "data.csv")
    assert str(info.value) == ("data.csv has 3 feature columns but the model expects 2 inputs; "
                               "give data with 2 feature columns.")
    with pytest.raises(XornetError, match="has 1 feature column but the model expects 2 inputs"):
        csvdata.check_features(np.zeros((4, 1)), 2, "x.csv")
    with pytest.raises(XornetError, match="expects 1 input; give data with 1 feature column"):
        csvdata.check_features(np.zeros((4, 3)), 1, "x.csv")
    with pytest.raises(XornetError, match="not a table"):
        csvdata.check_features(np.zeros(4), 2, "data.csv")
