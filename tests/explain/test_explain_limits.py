"""A trace writes out rows × parameters chain-rule products; more than a trace holds is
refused before any work (oracle: the count worked by hand)."""

import numpy as np
import pytest

import xornet
from xornet.errors import XornetError
from xornet.explain import trace


def test_the_limit_is_rows_times_parameters(monkeypatch):
    monkeypatch.setattr(trace, "MAX_ENTRIES", 100)
    net = xornet.Network([2, 2, 1], seed=0)  # 2·2 + 2 + 2·1 + 1 = 9 parameters
    X = np.zeros((12, 2))
    y = np.zeros((12, 1))
    assert len(trace.explain_step(net, X[:11], y[:11])["parameters"]) == 9  # 99 ≤ 100
    with pytest.raises(XornetError, match=r"12 rows × 9 parameters is 108 products"):
        trace.explain_step(net, X, y)


def test_ten_thousand_rows_of_a_small_network_are_refused_at_once():
    net = xornet.Network([2, 3, 1], seed=0)  # 13 parameters: 130,000 > 100,000
    with pytest.raises(XornetError, match="130,000 products"):
        trace.explain_step(net, np.zeros((10_000, 2)), np.zeros((10_000, 1)))
