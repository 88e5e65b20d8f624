"""A network as an ONNX graph: one MatMul, one Add and the activation's nodes per layer.

ONNX is the exchange format of the inference tools (onnxruntime, Netron, the converters):
a graph of standard operators with the weights stored inside. The graph is the forward pass
written out, in float64 ("DOUBLE") throughout, so an ONNX runtime computes what
``Network.predict`` computes::

    x (N, n_in) ─ MatMul W1 ─ Add b1 ─ Tanh ─ MatMul W2 ─ Add b2 ─ Sigmoid ─ y (N, n_out)

Input ``x`` has a symbolic batch dimension ``N``; the output is ``y``. Two activations are
written with more than one node, so that they stay exact in float64:

- **leaky_relu** is ``Where(z > 0, z, slope·z)``, the formula of ``core.activations``, with
  the slope as a float64 constant. (ONNX's own LeakyRelu takes its ``alpha`` as a float32
  attribute: 0.01 becomes 0.0099999998, off by 2·10⁻¹⁰ of z.)
- **step** with threshold θ is ``Cast(z ≥ θ)`` (``Greater`` for a strict step) to float64.

Needs the optional ``onnx`` package (``pip install 'xornet[export]'``).
"""

import numpy as np

from xornet.core.activations import LEAKY_SLOPE
from xornet.core.network import Network
from xornet.errors import XornetError, require

OPSET = 17  # ai.onnx opset 17 (2022): every operator used here, read by onnxruntime ≥ 1.12
IR_VERSION = 8  # the ONNX file format version that goes with opset 17
SINGLE_NODE = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "linear": "Identity"}


def build(net: Network):  # -> onnx.ModelProto (onnx is imported at the call)
    """The ONNX model (an ``onnx.ModelProto``) of ``net``, checked by ``onnx.checker``.

    Parameters
    ----------
    net : Network

    Returns
    -------
    onnx.ModelProto
        Opset :data:`OPSET`, float64 weights as initializers ``W1``, ``b1``, …, input ``x``
        of shape ``[N, n_in]``, output ``y`` of shape ``[N, n_out]``.

    Raises
    ------
    XornetError
        When the onnx package is not installed.
    """
    onnx = require_onnx()
    from onnx import TensorProto, helper, numpy_helper

    nodes, weights = [], []
    a = "x"
    for k, layer in enumerate(net.layers, start=1):
        weights.append(numpy_helper.from_array(np.asarray(layer.W, np.float64), f"W{k}"))
        xw = f"xW{k}" if layer.b is not None else f"z{k}"  # without bias, z = x·W
        nodes.append(helper.make_node("MatMul", [a, f"W{k}"], [xw], name=f"layer{k}/matmul"))
        if layer.b is not None:
            weights.append(numpy_helper.from_array(np.asarray(layer.b, np.float64), f"b{k}"))
            nodes.append(helper.make_node("Add", [xw, f"b{k}"], [f"z{k}"],
                                          name=f"layer{k}/add"))
        out = "y" if k == len(net.layers) else f"a{k}"
        more_nodes, constants = _activation(layer.activation, f"z{k}", out, k)
        nodes += more_nodes
        weights += [numpy_helper.from_array(np.array(v, np.float64), n) for n, v in constants]
        a = out
    graph = helper.make_graph(
        nodes, "xornet", [helper.make_tensor_value_info("x", TensorProto.DOUBLE,
                                                        ["N", net.sizes[0]])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", net.sizes[-1]])],
        initializer=weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=IR_VERSION, producer_name="xornet",
                              doc_string=f"{net!r}, exported by xornet")
    onnx.checker.check_model(model, full_check=True)  # types and shapes inferred end to end
    return model


def _activation(activation, z, out, k):
    """The nodes computing ``out = f(z)`` for layer ``k``, and the constants they use."""
    from onnx import TensorProto, helper

    name = activation.name
    if name in SINGLE_NODE:
        return [helper.make_node(SINGLE_NODE[name], [z], [out], name=f"layer{k}/{name}")], []
    if name == "leaky_relu":  # z if z > 0 else slope·z, as core.activations computes it
        return [
            helper.make_node("Greater", [z, f"zero{k}"], [f"positive{k}"],
                             name=f"layer{k}/positive"),
            helper.make_node("Mul", [z, f"slope{k}"], [f"leak{k}"], name=f"layer{k}/leak"),
            helper.make_node("Where", [f"positive{k}", z, f"leak{k}"], [out],
                             name=f"layer{k}/leaky_relu"),
        ], [(f"zero{k}", 0.0), (f"slope{k}", LEAKY_SLOPE)]
    if name == "step":  # 1.0 where z ≥ θ (z > θ for a strict step), else 0.0
        compare = "Greater" if activation.strict else "GreaterOrEqual"
        return [
            helper.make_node(compare, [z, f"theta{k}"], [f"fires{k}"], name=f"layer{k}/fires"),
            helper.make_node("Cast", [f"fires{k}"], [out], to=TensorProto.DOUBLE,
                             name=f"layer{k}/step"),
        ], [(f"theta{k}", activation.theta)]
    raise XornetError(f"export: layer {k}'s activation {name!r} has no ONNX form yet; "
                      "choose sigmoid, tanh, relu, leaky_relu, linear or step.")


def require_onnx():  # -> the onnx module
    """The ``onnx`` module, or one sentence saying how to install it."""
    require("export", "format")  # one sentence with the pip command when onnx is missing
    import onnx
    return onnx
