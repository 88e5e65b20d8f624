"""xornet: learn, teach and study how a neural network learns XOR.

A feed-forward network written from scratch on NumPy, trained by backpropagation, that
explains every number it computes.

This module is the facade: the names a user needs first. Everything else lives in one room
of the package (``xornet.core``, ``xornet.train``, ``xornet.population``, ``xornet.explain``,
``xornet.doctor``, ``xornet.io``, then the edges ``xornet.viz``, ``xornet.playground`` and
``xornet.cli``); ``docs/architecture.md`` says what each room owns.
"""

import os

from xornet.core.gradcheck import gradcheck
from xornet.core.network import Network
from xornet.errors import DivergenceError, XornetError
from xornet.io import datasets
from xornet.train.config import RunConfig
from xornet.train.history import History

__version__: str  # declared, not set: __getattr__ below reads it on first use


def __getattr__(name: str) -> str:
    """``xornet.__version__``, read on first use (importing importlib.metadata costs ~25 ms,
    more than the rest of ``import xornet`` after NumPy)."""
    if name != "__version__":
        raise AttributeError(f"module 'xornet' has no attribute {name!r}")
    global __version__
    __version__ = _version()
    return __version__


def _version() -> str:
    """The installed distribution's version: pyproject.toml's ``version``, the one place it
    is written. A source tree on PYTHONPATH that was never installed has no metadata; it
    reports ``0+unknown`` rather than a number that might be wrong."""
    from importlib import metadata

    try:
        return metadata.version("xornet")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def load(path: str | os.PathLike[str]) -> Network:
    """Read a model file written by ``Network.save`` (or by hand) and return a Network.

    ``path`` may also name a hand-built network that ships with xornet, such as
    ``"builtin:xor-step"`` (see :mod:`xornet.io.builtin`). The file is validated before use;
    any problem raises XornetError with one sentence.
    """
    from xornet.io import builtin, modelfile

    spec = modelfile.read(builtin.resolve(path))
    net = Network.from_weights(spec.weights, spec.biases, spec.activations)
    net.training = dict(spec.training)
    return net


__all__ = [
    "DivergenceError", "History", "Network", "RunConfig", "XornetError", "datasets",
    "gradcheck", "load",
]
