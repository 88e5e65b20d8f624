"""The doctor's check for identical hidden units, vectorised: it must group exactly as the
pair-by-pair definition does (the oracle below, written out as loops), on wide layers too."""

import numpy as np

import xornet
from xornet.doctor.diagnose import diagnose
from xornet.doctor.symptoms import _same_rows


def _pairwise(M, tol):
    """The definition: rows in order; each joins the first group whose first row is within
    tol in every column, else starts a group."""
    groups = []
    for j in range(len(M)):
        for g in groups:
            if all(abs(M[j][c] - M[g[0]][c]) <= tol for c in range(M.shape[1])):
                g.append(j)
                break
        else:
            groups.append([j])
    return [g for g in groups if len(g) > 1]


def test_grouping_equals_the_pairwise_definition_on_random_cases():
    rng = np.random.default_rng(7)
    for _ in range(400):
        n, d = int(rng.integers(1, 25)), int(rng.integers(1, 5))
        M = rng.integers(0, 3, size=(n, d)) * 0.5  # many exact ties ...
        M += rng.normal(scale=4e-7, size=M.shape) * (rng.random(M.shape) < 0.5)  # ... and near
        assert _same_rows(M, 1e-6) == _pairwise(M, 1e-6)


def test_a_4096_unit_layer_with_three_copies_is_found():
    net = xornet.Network([2, 4096, 1], activation="tanh", init="normal", seed=1)
    for j in (100, 2000):  # units 100 and 2000 become copies of unit 5
        net.weights[0][:, j] = net.weights[0][:, 5]
        net.biases[0][j] = net.biases[0][5]
        net.weights[1][j] = net.weights[1][5]
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    found = {d.code: d for d in diagnose(net, X, y, check_solved=True)}
    assert found["symmetric-units"].evidence["groups"] == [["h6", "h101", "h2001"]]
