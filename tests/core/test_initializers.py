"""The scaled initialisers (uniform:R, normal:S), checked against the unit draws."""

import numpy as np
import pytest

from xornet import Network
from xornet.core import initializers
from xornet.errors import XornetError


def test_scaled_initialisers_scale_the_unit_draws_and_keep_their_name():
    """uniform:R is R times the uniform draw (U(−1, 1)), normal:S is S times N(0, 1)."""
    for base, scale in (("uniform", 0.3), ("normal", 2.5)):
        W, b = initializers.get(base)(np.random.default_rng(7), 3, 4)
        Ws, bs = initializers.get(f"{base}:{scale}")(np.random.default_rng(7), 3, 4)
        np.testing.assert_array_equal(Ws, scale * W)
        np.testing.assert_array_equal(bs, scale * b)
    Wr, _ = initializers.get("uniform:0.1")(np.random.default_rng(0), 200, 50)
    assert np.abs(Wr).max() <= 0.1 and np.abs(Wr).max() > 0.099  # fills U(−0.1, 0.1)
    assert Network([2, 2, 1], init="uniform:0.3").init == "uniform:0.3"
    one = initializers.get("uniform:1")(np.random.default_rng(1), 2, 2)
    plain = initializers.get("uniform")(np.random.default_rng(1), 2, 2)
    np.testing.assert_array_equal(one[0], plain[0])


@pytest.mark.parametrize("name", ["uniform:", "uniform:-1", "uniform:nan", "xavier:2",
                                  "normal:1e9", "uniform:abc"])
def test_bad_scaled_initialisers_are_refused_with_the_form(name):
    with pytest.raises(XornetError, match="uniform:R"):
        initializers.get(name)
