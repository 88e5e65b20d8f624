"""Shared fixtures: the XOR truth table written out by hand (not loaded from xornet.datasets,
so the core's tests do not depend on the dataset code they might share a bug with)."""

import numpy as np
import pytest


@pytest.fixture
def xor():
    """(X, y) of XOR: rows in counting order (0,0), (0,1), (1,0), (1,1); targets 0, 1, 1, 0."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2)
    y = np.array([[0.0], [1.0], [1.0], [0.0]])  # (4, 1)
    return X, y
