"""``datasets.train_test_split``: a seeded share of the rows held out as a test set.

Oracles: every row is tagged with its own index in an extra column, so the two parts can be
checked to partition the data exactly (each index once, nothing invented, X and y still paired);
the size is round(share · n) worked out by hand; the same seed gives the same split in a fresh
interpreter; bad shares are refused by name.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from xornet.errors import XornetError
from xornet.io import datasets


def _tagged(n):
    """X (n, 2) whose second column is the row's index; y (n, 1) = 10 · index, so a row of X
    can be matched to its target after any shuffle."""
    index = np.arange(n, dtype=np.float64)
    X = np.column_stack([np.sin(index), index])
    return X, 10.0 * index[:, None]


@pytest.mark.parametrize("n, share, n_test", [(200, 0.3, 60), (10, 0.25, 2), (7, 0.5, 4),
                                              (3, 0.01, 1), (5, 0.8, 4)])
def test_the_split_is_a_partition_of_the_rows_with_the_share_asked(n, share, n_test):
    X, y = _tagged(n)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, share, seed=3)
    assert len(X_test) == len(y_test) == n_test  # round(share · n), at least 1, by hand
    assert len(X_train) == len(y_train) == n - n_test
    rows = np.concatenate([X_train[:, 1], X_test[:, 1]]).astype(int)
    assert sorted(rows.tolist()) == list(range(n))  # each row exactly once
    for part_X, part_y in ((X_train, y_train), (X_test, y_test)):
        np.testing.assert_array_equal(part_y[:, 0], 10.0 * part_X[:, 1])  # still paired
        np.testing.assert_array_equal(part_X[:, 0], np.sin(part_X[:, 1]))  # rows intact


def test_the_split_is_seeded_and_the_seed_matters():
    X, y = _tagged(50)
    first = datasets.train_test_split(X, y, 0.3, seed=7)
    again = datasets.train_test_split(X, y, 0.3, seed=7)
    other = datasets.train_test_split(X, y, 0.3, seed=8)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert set(first[2][:, 1]) != set(other[2][:, 1])


def test_the_split_is_the_same_in_another_process():
    code = ("import json, numpy as np; from xornet.io import datasets; "
            "X = np.arange(40.0).reshape(20, 2); y = np.arange(20.0)[:, None]; "
            "parts = datasets.train_test_split(X, y, 0.3, seed=11); "
            "print(json.dumps([p.tolist() for p in parts]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20.0)[:, None]
    here = datasets.train_test_split(X, y, 0.3, seed=11)
    assert json.loads(out) == [p.tolist() for p in here]


def test_the_split_draws_from_its_own_stream_not_the_datas():
    # a cloud of seed s is drawn from default_rng(s); the split of seed s must not replay
    # those bits, so it is not default_rng(s).permutation(n)
    X, y = _tagged(30)
    test_rows = datasets.train_test_split(X, y, 0.5, seed=0)[2][:, 1].astype(int)
    replayed = np.random.default_rng(0).permutation(30)[:15]
    assert test_rows.tolist() != replayed.tolist()
    expected = np.random.default_rng([0, datasets.SPLIT_STREAM]).permutation(30)[:15]
    assert test_rows.tolist() == expected.tolist()


@pytest.mark.parametrize("share", [0.0, 1.0, -0.2, 1.5, float("nan"), float("inf"), True, "0.3"])
def test_a_share_outside_zero_to_one_is_refused_by_name(share):
    X, y = _tagged(10)
    with pytest.raises(XornetError, match=r"^test_split: .*strictly between 0 and 1"):
        datasets.train_test_split(X, y, share)


def test_a_split_that_leaves_no_training_row_is_refused():
    X, y = _tagged(2)
    with pytest.raises(XornetError, match="leaves no row to train on"):
        datasets.train_test_split(X, y, 0.9)
    with pytest.raises(XornetError, match="leaves no row to train on"):
        datasets.train_test_split(X[:1], y[:1], 0.1)  # one row: the test takes it


def test_mismatched_rows_and_bad_seeds_are_refused():
    X, y = _tagged(10)
    with pytest.raises(XornetError, match="one row per sample"):
        datasets.train_test_split(X, y[:5], 0.3)
    with pytest.raises(XornetError, match=r"^seed: "):
        datasets.train_test_split(X, y, 0.3, seed=-1)


def test_kind_names_truth_tables_and_clouds():
    assert datasets.kind("xor") == "truth table"
    assert datasets.kind("0110") == "truth table"
    assert datasets.kind("parity") == "truth table"
    assert datasets.kind("Moons") == "classification"
    assert datasets.kind("sine") == "regression"
    assert datasets.kind("no-such") is None
