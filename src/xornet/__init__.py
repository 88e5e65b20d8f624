"""xornet: learn, teach and study how a neural network learns XOR.

A feed-forward network written from scratch on NumPy, trained by backpropagation, that
explains every number it computes.
"""

from . import activations, datasets, initializers, losses, optimizers
from .errors import DivergenceError, XornetError
from .gradcheck import gradcheck
from .network import Network
from .training import History, TrainSettings

__version__ = "0.1.0"


def load(path):
    """Read a model file written by ``Network.save`` (or by hand) and return a Network.

    ``path`` may also name a hand-built network that ships with xornet, such as
    ``"builtin:xor-step"`` (see :mod:`xornet.builtin`). The file is validated before use;
    any problem raises XornetError with one sentence.
    """
    from . import builtin, modelfile

    spec = modelfile.read(builtin.resolve(path))
    net = Network.from_weights(spec.weights, spec.biases, spec.activations)
    net.training = dict(spec.training)
    return net


__all__ = [
    "DivergenceError", "History", "Network", "TrainSettings", "XornetError", "activations",
    "datasets", "gradcheck", "initializers", "load", "losses", "optimizers",
]
