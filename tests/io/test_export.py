"""Export to ONNX, safetensors and npz, and import back from safetensors and npz.

Oracles: other people's implementations — onnxruntime runs the ONNX graph, PyTorch loads
the safetensors file into an ``nn.Sequential`` built here, the ``safetensors`` package and
NumPy's ``np.load`` read the files; the bit pattern of every float64 for round trips; the
XOR truth table for the step network; and for hostile files, that each is refused with a
message naming the file and the field, before anything large is made or unpickled.

onnxruntime, safetensors and torch are in the test extra; outside CI a missing one skips
its tests, in CI (CI=true) it fails them.
"""

import importlib
import io
import itertools
import json
import pickle
import struct
import sys
import zipfile

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet import Network
from xornet.cli import app
from xornet.core.activations import LEAKY_SLOPE, step_unit
from xornet.errors import XornetError
from xornet.io import exchange, onnx_graph, safetensors_file, tensorlayout

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
runner = CliRunner()


def optional(name):
    """The module (onnx, onnxruntime, torch, safetensors: the dev extra installs them, so a
    missing one fails the test, never skips it)."""
    return importlib.import_module(name)


# (sizes, activations, bias): every activation, with and without bias, one to four layers
ARCHS = [
    ([2, 2, 1], ["sigmoid", "sigmoid"], True),
    ([2, 3, 1], ["tanh", "sigmoid"], False),
    ([2, 4, 3, 2], ["relu", "leaky_relu", "linear"], True),
    ([3, 5, 1], ["leaky_relu", "tanh"], False),
    ([2, 8, 8, 8, 1], ["tanh", "relu", "sigmoid", "linear"], True),
    ([1, 1], ["linear"], True),
]


def network(sizes, activations, bias, seed=0):
    """Weights drawn wide (σ = 2) so that units sit on both sides of every kink."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, 2.0, (m, n)) for m, n in itertools.pairwise(sizes)]
    biases = [rng.normal(0.0, 2.0, n) for n in sizes[1:]] if bias else None
    return Network.from_weights(weights, biases, activations)


def inputs(n_in, seed=1):
    rng = np.random.default_rng(seed)
    corners = np.array(np.meshgrid(*[[0.0, 1.0]] * n_in)).reshape(n_in, -1).T
    return np.vstack([corners, rng.normal(0.0, 3.0, (60, n_in))])


def step_networks():
    """XOR from step units (h1 = OR, h2 = AND), and AND as one unit firing when z > 0.5:
    (1, 0) gives z = 0.5 exactly, which a strict step must not fire on and a non-strict must."""
    and_strict = Network.from_weights([[[0.5], [0.5]]], None, [step_unit(0.5, strict=True)])
    and_loose = Network.from_weights([[[0.5], [0.5]]], None, [step_unit(0.5, strict=False)])
    return {"xor-step": (xornet.load("builtin:xor-step"), [0, 1, 1, 0]),
            "and-strict": (and_strict, [0, 0, 0, 1]), "and-loose": (and_loose, [0, 1, 1, 1])}


def bits(arrays):
    return [np.ascontiguousarray(a, dtype=np.float64).view(np.int64) for a in arrays]


def assert_same_model(spec, net):
    assert spec.sizes == net.sizes
    assert spec.activations == [layer.activation.spec for layer in net.layers]
    for got, want in zip(bits(spec.weights), bits(net.weights), strict=True):
        assert np.array_equal(got, want)
    assert (spec.biases is None) == (net.biases is None)
    if net.biases is not None:
        for got, want in zip(bits(spec.biases), bits(net.biases), strict=True):
            assert np.array_equal(got, want)


# --- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", exchange.IMPORTABLE)
@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: "-".join(map(str, a[0])) + str(a[2]))
def test_export_then_import_gives_the_same_bits_and_activations(fmt, arch):
    net = network(*arch)
    net.weights[0][0, 0] = -0.0  # the awkward floats: signed zero, a subnormal, the largest
    net.weights[-1][-1, -1] = 5e-324
    net.weights[0][-1, -1] = 1.7976931348623157e308
    assert_same_model(exchange.parse(exchange.to_bytes(net, fmt), f"m.{fmt}", fmt), net)


@pytest.mark.parametrize("fmt", exchange.IMPORTABLE)
@pytest.mark.parametrize("name", ["xor-step", "and-strict", "and-loose"])
def test_steps_keep_their_threshold_through_a_round_trip(fmt, name):
    net, truth = step_networks()[name]
    spec = exchange.parse(exchange.to_bytes(net, fmt), f"m.{fmt}", fmt)
    assert_same_model(spec, net)
    back = Network.from_weights(spec.weights, spec.biases, spec.activations)
    assert back.predict(X4).ravel().tolist() == truth


@pytest.mark.parametrize("fmt", exchange.IMPORTABLE)
def test_the_commands_round_trip_through_files(tmp_path, fmt):
    net = network(*ARCHS[2])
    net.save(tmp_path / "m.json")
    out, back = tmp_path / f"m.{fmt}", tmp_path / "back.json"
    result = runner.invoke(app, ["export", str(tmp_path / "m.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: {fmt}, 2-4-3-2" in " ".join(result.output.split())  # rich wraps
    result = runner.invoke(app, ["import", str(out), "--out", str(back)])
    assert result.exit_code == 0, result.output
    loaded = xornet.load(back)
    assert_same_model(exchange.read(out), loaded)
    assert loaded.training == {"imported_from": f"m.{fmt}"}
    X = inputs(2)
    assert np.array_equal(loaded.predict(X), net.predict(X))


def test_npz_is_what_numpy_users_expect_without_pickle():
    net = network(*ARCHS[1])
    with np.load(io.BytesIO(exchange.to_bytes(net, "npz")), allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "activations", "sizes"]  # no bias: no b
        assert npz["W1"].shape == (2, 3) and npz["W1"].dtype == np.float64
        assert np.array_equal(npz["W2"], net.weights[1])
        assert npz["sizes"].tolist() == [2, 3, 1]
        assert npz["activations"].tolist() == ["tanh", "sigmoid"]


# --- ONNX, run by onnxruntime ------------------------------------------------------------
def run_onnx(net, X):
    ort = optional("onnxruntime")
    session = ort.InferenceSession(exchange.to_bytes(net, "onnx"),
                                   providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": X})[0]


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: "-".join(map(str, a[0])) + str(a[2]))
def test_onnxruntime_computes_what_predict_computes(arch):
    net = network(*arch)
    X = inputs(net.sizes[0])
    y = run_onnx(net, X)
    assert y.dtype == np.float64 and y.shape == (len(X), net.sizes[-1])
    assert np.abs(y - net.predict(X)).max() <= 1e-12


@pytest.mark.parametrize("name", ["xor-step", "and-strict", "and-loose"])
def test_onnx_steps_give_the_truth_table(name):
    net, truth = step_networks()[name]
    assert run_onnx(net, X4).ravel().tolist() == truth


def test_the_onnx_graph_is_float64_opset_17_with_a_symbolic_batch():
    onnx = optional("onnx")
    net = network(*ARCHS[1])  # tanh → sigmoid, no bias
    model = onnx.load_from_string(exchange.to_bytes(net, "onnx"))
    onnx.checker.check_model(model, full_check=True)
    assert [(o.domain, o.version) for o in model.opset_import] == [("", onnx_graph.OPSET)]
    assert onnx_graph.OPSET == 17
    (x,), (y,) = model.graph.input, model.graph.output
    assert (x.name, y.name) == ("x", "y")
    for value, width in ((x, 2), (y, 1)):
        assert value.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
        batch, features = value.type.tensor_type.shape.dim
        assert batch.dim_param == "N" and features.dim_value == width
    assert [n.op_type for n in model.graph.node] == ["MatMul", "Tanh", "MatMul", "Sigmoid"]
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    assert weights.keys() == {"W1", "W2"}
    assert np.array_equal(weights["W1"], net.weights[0]) and weights["W1"].dtype == np.float64


def test_leaky_relu_is_exact_in_float64():
    # ONNX's LeakyRelu takes alpha as a float32: 0.01 would be 0.0099999998, off by 2e-10·z.
    # The graph computes z if z > 0 else slope·z with a float64 slope; z = −300 shows it.
    net = Network.from_weights([[[1.0]]], [[0.0]], ["leaky_relu"])
    X = np.array([[-300.0], [-7.77], [-1e-3], [0.0], [2.5]])
    assert np.array_equal(run_onnx(net, X), np.where(X > 0, X, LEAKY_SLOPE * X))


def test_a_missing_onnx_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # now `import onnx` raises ImportError
    with pytest.raises(XornetError, match=r"pip install 'xornet\[export\]'"):
        exchange.to_bytes(network(*ARCHS[0]), "onnx")


# --- PyTorch and the safetensors package -------------------------------------------------
def sequential(torch, net):
    """The nn.Sequential of ``net`` written out here, independently of xornet's text."""
    nn = torch.nn
    modules = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "linear": nn.Identity,
               "leaky_relu": lambda: nn.LeakyReLU(0.01)}
    parts = []
    for (n_in, n_out), name in zip(itertools.pairwise(net.sizes), net.activations):
        parts += [nn.Linear(n_in, n_out, bias=net.bias), modules[name]()]
    return nn.Sequential(*parts).double()


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: "-".join(map(str, a[0])) + str(a[2]))
def test_torch_loads_the_state_dict_strictly_and_computes_what_predict_computes(tmp_path, arch):
    torch = optional("torch")
    load_file = optional("safetensors.torch").load_file
    net = network(*arch)
    exchange.export(net, tmp_path / "m.safetensors")
    model = sequential(torch, net)
    model.load_state_dict(load_file(tmp_path / "m.safetensors"), strict=True)
    X = inputs(net.sizes[0])
    with torch.no_grad():
        y = model(torch.from_numpy(X)).numpy()
    assert np.abs(y - net.predict(X)).max() <= 1e-12
    assert repr(eval(exchange.torch_sequential(net), {"nn": torch.nn})) == repr(model)


def test_a_model_trained_in_torch_comes_back_with_its_activations(tmp_path):
    torch = optional("torch")
    save_file = optional("safetensors.torch").save_file
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(),
                                torch.nn.Linear(5, 1), torch.nn.Sigmoid()).double()
    save_file(model.state_dict(), tmp_path / "t.safetensors")  # no activations in it
    with pytest.raises(XornetError, match=r"names no activations.*2 here"):
        exchange.read(tmp_path / "t.safetensors")
    spec = exchange.read(tmp_path / "t.safetensors", activations=["tanh", "sigmoid"])
    net = Network.from_weights(spec.weights, spec.biases, spec.activations)
    X = inputs(2)
    with torch.no_grad():
        assert np.abs(model(torch.from_numpy(X)).numpy() - net.predict(X)).max() <= 1e-12


def test_the_safetensors_package_reads_our_file_and_we_read_its():
    st = optional("safetensors.numpy")
    net = network(*ARCHS[2])
    theirs = st.load(exchange.to_bytes(net, "safetensors"))
    ours = exchange.state_dict(net)
    assert theirs.keys() == ours.keys()
    assert all(np.array_equal(theirs[k], ours[k]) and theirs[k].dtype == np.float64
               for k in ours)
    # float32, what torch saves by default; C order, because safetensors.numpy.save 0.8
    # writes a Fortran-ordered array's memory as if it were C order (W.T would come back
    # scrambled; our encoder writes row-major whatever the array's memory order).
    f32 = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in ours.items()}
    spec = exchange.parse(st.save(f32), "t.safetensors", "safetensors", net.activations)
    assert np.array_equal(spec.weights[1], f32["2.weight"].T.astype(np.float64))


# --- hostile files -----------------------------------------------------------------------
def safetensors_bytes(header, data=b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def refuse(data, fmt, *needles, activations=("tanh", "sigmoid")):
    source = f"evil.{fmt}"
    with pytest.raises(XornetError) as info:
        exchange.parse(data, source, fmt, activations)
    message = str(info.value)
    for needle in (source, *needles):
        assert needle in message, f"{needle!r} not in {message!r}"
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    return message


def good_tensors():
    return exchange.state_dict(network([2, 2, 1], ["tanh", "sigmoid"], True))


@pytest.mark.parametrize("cut", [0, 7, 8, 30, -1])
def test_a_truncated_safetensors_file_is_refused(cut):
    data = exchange.to_bytes(network(*ARCHS[0]), "safetensors")
    refuse(data[:cut], "safetensors", "truncated" if cut >= 8 or cut < 0 else "too short")


def test_a_header_claiming_a_trillion_numbers_is_refused_before_any_array(monkeypatch):
    def no_arrays(*args, **kwargs):
        raise AssertionError("an array was made")

    monkeypatch.setattr(safetensors_file.np, "frombuffer", no_arrays)
    header = {"0.weight": {"dtype": "F64", "shape": [10**6, 10**6],
                           "data_offsets": [0, 8 * 10**12]}}
    refuse(safetensors_bytes(header), "safetensors", "1,000,000,000,000 numbers")
    refuse(struct.pack("<Q", 2**62) + b"{}", "safetensors", "header claims")


@pytest.mark.parametrize("change, needles", [
    (lambda h: h["0.weight"].update(dtype="I64"), ["'0.weight'", "dtype"]),
    (lambda h: h["0.weight"].update(shape=[2, 3]), ["'0.weight'", "data_offsets span"]),
    (lambda h: h["0.bias"].update(data_offsets=[0, 16]), ["starts at byte"]),
    (lambda h: h.update(extra=h.pop("2.bias")), ["'extra'", "0.weight, 0.bias, 2.weight"]),
    (lambda h: h.update({"1.weight": h.pop("2.weight")}), ["'1.weight'"]),
    (lambda h: h.update({"4.weight": h.pop("2.weight")}), ["'2.weight' is missing"]),
    (lambda h: h["__metadata__"].update(activations='["tanh", "swish"]'), ["swish"]),
    (lambda h: h["__metadata__"].update(activations='["tanh"]'), ["activations"]),
    (lambda h: h.update(__metadata__=[1]), ["__metadata__"]),
])
def test_a_safetensors_header_that_does_not_describe_a_model_is_refused(change, needles):
    data = exchange.to_bytes(network([2, 2, 1], ["tanh", "sigmoid"], True), "safetensors")
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    change(header)
    refuse(safetensors_bytes(header, data[8 + n:]), "safetensors", *needles, activations=None)


@pytest.mark.parametrize("change, needles", [
    (lambda t: t.update({"2.weight": np.ones((1, 3))}), ["'2.weight' takes 3 inputs"]),
    (lambda t: t.update({"0.bias": np.ones(3)}), ["'0.bias' has shape [3]"]),
    (lambda t: t.pop("2.bias"), ["'2.bias' is missing"]),
    (lambda t: t.update({"0.weight": np.ones((2, 2, 1))}), ["'0.weight' has shape [2, 2, 1]"]),
    (lambda t: t.update({"2.weight": np.ones((1, 5000))}), ["1 to 4096"]),
    (lambda t: t["2.weight"].__setitem__((0, 1), np.nan), ["'2.weight'", "NaN"]),
    (lambda t: t.clear(), ["no layers"]),
])
def test_safetensors_tensors_of_the_wrong_shape_or_value_are_refused(change, needles):
    tensors = {k: v.copy() for k, v in good_tensors().items()}
    change(tensors)
    refuse(safetensors_file.encode(tensors, {}), "safetensors", *needles)


def test_trailing_bytes_and_duplicate_names_are_refused():
    data = exchange.to_bytes(network(*ARCHS[0]), "safetensors")
    refuse(data + b"\0" * 8, "safetensors", "stray bytes")
    text = b'{"0.weight": {}, "0.weight": {}}'
    refuse(struct.pack("<Q", len(text)) + text, "safetensors", "not valid JSON")


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # allow_pickle is on when saving: an object array pickles
    return buffer.getvalue()


def test_an_npz_holding_a_pickle_is_refused_and_never_unpickled(monkeypatch):
    def no_unpickling(*args, **kwargs):
        raise AssertionError("unpickled")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    evil = np.array([{"__reduce__": "os.system"}], dtype=object)
    refuse(npz_bytes(W1=np.ones((2, 1)), activations=evil), "npz", "'activations'",
           "object array", "pickle")


def test_an_npz_member_claiming_a_huge_shape_is_refused_from_its_header():
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**6, 10**6)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("W1.npy", member.getvalue() + b"\0" * 16)
    refuse(buffer.getvalue(), "npz", "'W1' claims shape (1000000, 1000000)")


def test_an_npz_that_unpacks_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(tensorlayout, "MAX_BYTES", 1000)
    refuse(npz_bytes(W1=np.ones((2, 100))), "npz", "unpack to")


@pytest.mark.parametrize("arrays, needles", [
    (dict(W1=np.ones((2, 2)), W2=np.ones((3, 1))), ["'W2' takes 3 inputs"]),
    (dict(W1=np.ones((2, 2)), b1=np.ones(2), W2=np.ones((2, 1))), ["'b2' is missing"]),
    (dict(W1=np.ones((2, 2)), W3=np.ones((2, 1))), ["'W2' is missing"]),
    (dict(W1=np.ones((2, 1)), b2=np.ones(1)), ["'b2' has no weight matrix W2"]),
    (dict(W1=np.ones((2, 1), dtype=np.int64)), ["'W1' is int64"]),
    (dict(W1=np.ones(2)), ["'W1' has shape (2,)"]),
    (dict(W1=np.full((2, 1), np.inf)), ["'W1'", "NaN or infinity"]),
    (dict(W1=np.ones((2, 1)), sizes=np.array([2, 3])), ["'sizes' is [2, 3]"]),
    (dict(W1=np.ones((2, 1)), sizes=np.array([2.0, 1.0])), ["'sizes'"]),
    (dict(W1=np.ones((2, 1)), notes=np.ones(1)), ["'notes' is not part of a model"]),
    (dict(b1=np.ones(1)), ["no weight matrix W1"]),
])
def test_npz_arrays_that_do_not_make_a_model_are_refused(arrays, needles):
    refuse(npz_bytes(**arrays), "npz", *needles, activations=["sigmoid"] * 2)


def test_npz_activations_are_checked_like_a_model_file():
    arrays = exchange.npz_arrays(network([2, 2, 1], ["tanh", "sigmoid"], True))
    arrays["activations"] = np.array(["tanh", "swish"])
    refuse(npz_bytes(**arrays), "npz", "layer 2 activation", "swish", activations=None)
    refuse(b"PK not really a zip", "npz", "not an npz file")


# --- the command line --------------------------------------------------------------------
def test_export_says_how_to_use_each_format(tmp_path):
    said = {}
    for fmt in exchange.FORMATS:
        result = runner.invoke(app, ["export", "builtin:xor-step", "--out",
                                     str(tmp_path / f"x.{fmt}")])
        assert result.exit_code == 0, result.output
        said[fmt] = result.output
    assert "opset 17" in said["onnx"] and "[N, 2]" in said["onnx"]
    assert "np.load(" in said["npz"]
    assert "step units have no torch module" in said["safetensors"]
    result = runner.invoke(app, ["export", "builtin:worked-2-2-2", "-o", str(tmp_path / "s"),
                                 "--format", "safetensors"])
    assert result.exit_code == 0 and "load_state_dict" in result.output, result.output


@pytest.mark.parametrize("args, needle", [
    (["export", "builtin:xor-step", "--out", "x.pt"], "cannot tell the format"),
    (["export", "builtin:xor-step", "--out", "x.bin", "--format", "pickle"], "'pickle'"),
    (["import", "x.onnx", "--out", "m.json"], "cannot tell the format"),
])
def test_an_unknown_format_is_one_error_line(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and needle in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_import_refuses_a_hostile_file_and_writes_nothing(tmp_path):
    (tmp_path / "evil.npz").write_bytes(npz_bytes(W1=np.array([None, 1], dtype=object)))
    result = runner.invoke(app, ["import", str(tmp_path / "evil.npz"),
                                 "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and "pickle" in result.stderr, result.output
    assert not (tmp_path / "m.json").exists()


def test_import_takes_activations_from_the_command_line(tmp_path):
    tensors = good_tensors()
    (tmp_path / "t.safetensors").write_bytes(safetensors_file.encode(tensors, {}))
    result = runner.invoke(app, ["import", str(tmp_path / "t.safetensors"), "--out",
                                 str(tmp_path / "m.json"), "--activations", "relu,linear"])
    assert result.exit_code == 0, result.output
    assert xornet.load(tmp_path / "m.json").activations == ["relu", "linear"]


def test_export_never_replaces_a_folder_and_refuses_a_diverged_network(tmp_path):
    with pytest.raises(XornetError, match="is a folder"):
        exchange.export(network(*ARCHS[0]), tmp_path, "npz")
    net = network(*ARCHS[0])
    net.weights[0][0, 0] = np.nan
    with pytest.raises(XornetError, match="non-finite"):
        exchange.to_bytes(net, "npz")
