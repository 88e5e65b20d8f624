"""Tests for the JSON model file: exact round trips, atomic writes, and a strict loader.

The oracle for round trips is the bit pattern of every float64; the oracle for the loader is
that anything but a valid model raises XornetError with a message naming the file and field.
"""

import contextlib
import itertools
import json
import os
import pickle

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xornet.core.activations import NAMES
from xornet.errors import XornetError
from xornet.io import files, modeldoc, modelfile

SOURCE = "xor.json"
FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def xor_doc():
    """The classic hand-built XOR network: h1 = OR, h2 = AND, output = h1 AND NOT h2."""
    return {
        "format": "xornet-model",
        "version": 1,
        "sizes": [2, 2, 1],
        "activations": ["step", "step"],
        "bias": True,
        "weights": [[[1, 1], [1, 1]], [[1], [-2]]],
        "biases": [[-0.5, -1.5], [-0.5]],
        "training": {},
    }


def reject(doc_or_text, *needles):
    """Assert that parsing fails with a message naming the file and every needle."""
    text = doc_or_text if isinstance(doc_or_text, str | bytes) else json.dumps(doc_or_text)
    with pytest.raises(XornetError) as info:
        modelfile.parse(text, source=SOURCE)
    message = str(info.value)
    for needle in (SOURCE, *needles):
        assert needle in message, f"{needle!r} not in {message!r}"
    return message


def bits(arrays):
    return [np.ascontiguousarray(a).view(np.int64) for a in arrays]


def same_bits(left, right):
    return len(left) == len(right) and all(
        a.shape == b.shape and np.array_equal(x, y)
        for a, b, x, y in zip(left, right, bits(left), bits(right), strict=True))


# --- round trip ------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True, width=64)


@st.composite
def networks(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    shapes = list(itertools.pairwise(sizes))
    weights = [draw(hnp.arrays(np.float64, shape, elements=finite)) for shape in shapes]
    biases = None
    if draw(st.booleans()):
        biases = [draw(hnp.arrays(np.float64, (n,), elements=finite)) for _, n in shapes]
    names = draw(st.lists(st.sampled_from(NAMES), min_size=len(shapes), max_size=len(shapes)))
    return sizes, names, weights, biases


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@settings(FAST, max_examples=60)  # each example writes and fsyncs a real file
@given(net=networks())
def test_round_trip_is_bit_exact(net, folder):
    sizes, names, weights, biases = net
    path = folder / "net.json"
    modelfile.write(path, modelfile.to_document(sizes, names, weights, biases, {"seed": 7}))
    spec = modelfile.read(path)
    assert spec.sizes == sizes and spec.activations == names
    assert spec.training == {"seed": 7}
    assert same_bits(spec.weights, weights)
    assert (spec.biases is None) == (biases is None)
    if biases is not None:
        assert same_bits(spec.biases, biases)
    assert all(w.dtype == np.float64 for w in spec.weights)


@pytest.mark.parametrize("with_bias", [True, False])
def test_round_trip_keeps_extreme_values(tmp_path, with_bias):
    edge = np.array([[-0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                      -1.7976931348623157e308, 0.1, 1 / 3, np.nextafter(1.0, 2.0)]])
    biases = [np.array([-0.0, 5e-324, -5e-324, 1e-310, 1e300, -1e-300, 0.0, 2.0**-1074])]
    biases = biases if with_bias else None
    path = tmp_path / "edge.json"
    modelfile.write(path, modelfile.to_document([1, 8], ["linear"], [edge], biases))
    spec = modelfile.read(path)
    assert same_bits(spec.weights, [edge])
    assert np.signbit(spec.weights[0][0, 0])  # -0.0 stays negative zero
    if with_bias:
        assert same_bits(spec.biases, biases)
    else:
        assert spec.biases is None


def test_written_file_is_readable_by_a_person_and_by_plain_json(tmp_path):
    path = tmp_path / "xor.json"
    doc = xor_doc()
    modelfile.write(path, doc)
    text = path.read_text(encoding="utf-8")
    assert '\n  "sizes": [2, 2, 1],\n' in text  # indented, a short list on one line
    assert "\n      [1, -2]" not in text and "\n      [1]," in text  # one matrix row per line
    assert json.loads(text) == doc


def test_to_document_makes_training_record_plain():
    doc = modelfile.to_document(
        [2, 1], ["sigmoid"], [np.zeros((2, 1))], None,
        {"seed": np.int64(3), "final_loss": float("nan"), "lr": np.float32(0.5),
         "history": np.array([1.0, float("inf")]), "sizes": (2, 1)})
    assert doc["bias"] is False and doc["biases"] is None
    assert doc["training"] == {"seed": 3, "final_loss": "nan", "lr": 0.5,
                               "history": [1.0, "inf"], "sizes": [2, 1]}
    json.dumps(doc, allow_nan=False)  # nothing JSON cannot hold


def test_to_document_refuses_a_diverged_network():
    with pytest.raises(XornetError, match=r"layer 2 weights.*NaN"):
        modelfile.to_document([2, 2, 1], ["tanh", "sigmoid"],
                              [np.ones((2, 2)), np.array([[np.nan], [1.0]])], None)


def test_to_document_refuses_wrong_shapes():
    with pytest.raises(XornetError, match=r"layer 1 weights have shape 3×2 but sizes say 2×2"):
        modelfile.to_document([2, 2, 1], ["tanh", "sigmoid"],
                              [np.ones((3, 2)), np.ones((2, 1))], None)


# --- atomic write ----------------------------------------------------------------------------

@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.json"
    modelfile.write(path, xor_doc())
    return path, path.read_bytes()


def test_failed_replace_leaves_old_file_and_no_temp_file(saved, monkeypatch):
    path, before = saved
    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files.os, "replace", broken_replace)
    doc = modelfile.to_document([2, 1], ["sigmoid"], [np.ones((2, 1))], None)
    with pytest.raises(XornetError, match=r"model.json.*No space left.*unchanged"):
        modelfile.write(path, doc)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.json"]


def test_interrupt_during_write_leaves_old_file_and_no_temp_file(saved, monkeypatch):
    path, before = saved
    def interrupted_fsync(fd):
        raise KeyboardInterrupt
    monkeypatch.setattr(files.os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        modelfile.write(path, modelfile.to_document([2, 1], ["tanh"], [np.ones((2, 1))], None))
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.json"]


def test_failed_serialisation_leaves_old_file(saved, monkeypatch):
    path, before = saved
    def broken_dumps(*args, **kwargs):
        raise ValueError("simulated failure")
    monkeypatch.setattr(modelfile.json, "dumps", broken_dumps)
    with pytest.raises(XornetError, match=r"model.json"):
        modelfile.write(path, xor_doc())
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.json"]


def test_write_refuses_an_invalid_document_and_keeps_the_old_file(saved):
    path, before = saved
    doc = xor_doc()
    doc["weights"][1].append([3])
    with pytest.raises(XornetError, match=r"layer 2 weights have shape 3×1 but sizes say 2×1"):
        modelfile.write(path, doc)
    assert path.read_bytes() == before


def test_write_into_missing_folder_or_over_a_folder(tmp_path):
    with pytest.raises(XornetError, match=r"nowhere.*folder exists"):
        modelfile.write(tmp_path / "nowhere" / "m.json", xor_doc())
    (tmp_path / "taken").mkdir()
    with pytest.raises(XornetError, match=r"taken.*unchanged"):
        modelfile.write(tmp_path / "taken", xor_doc())
    assert sorted(os.listdir(tmp_path)) == ["taken"]


def test_write_keeps_permissions_of_the_file_it_replaces(saved):
    path, _ = saved
    assert (path.stat().st_mode & 0o777) == 0o644  # a new file is readable by others
    path.chmod(0o600)
    modelfile.write(path, xor_doc())
    assert (path.stat().st_mode & 0o777) == 0o600


# --- the file layer --------------------------------------------------------------------------

def read_error(path):
    with pytest.raises(XornetError) as info:
        modelfile.read(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_missing_file(tmp_path):
    assert "no such model file" in read_error(tmp_path / "absent.json")


def test_directory(tmp_path):
    assert "folder" in read_error(tmp_path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.json"
    path.write_text("{}")
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    # Tests may run as root, where chmod 000 does not stop reading; fail the open instead.
    monkeypatch.setattr(files.os, "open", denied)
    assert "Permission denied" in read_error(path)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(modelfile.MAX_BYTES + 1)  # sparse: costs no disk space
    def must_not_open(*args, **kwargs):
        raise AssertionError("read() opened an oversized file")
    monkeypatch.setattr(modelfile, "open", must_not_open, raising=False)
    assert "MB" in read_error(path)


def test_oversized_text_is_refused(monkeypatch):
    monkeypatch.setattr(modelfile, "MAX_BYTES", 100)
    reject(json.dumps(xor_doc()), "bytes")


def test_pickle_is_refused_without_being_loaded(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}))
    assert path.read_bytes().startswith(b"\x80")
    assert "UTF-8" in read_error(path)


@pytest.mark.parametrize("content", [b"", b"  \n\t"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    assert "empty" in read_error(path)


def test_truncated_json_gives_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{\n  "format": "xornet-model",\n  "sizes": [2, 2')
    assert "line 3, column 17" in read_error(path)


@pytest.mark.parametrize("text, kind", [("[1, 2]", "a list"), ('"model"', "a string"),
                                        ("3", "a number"), ("null", "null")])
def test_top_level_must_be_an_object(text, kind):
    reject(text, f"the top level is {kind}")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_deep_nesting_is_an_error_not_a_crash(text):
    reject(text, "nested too deeply")


# --- number literals -------------------------------------------------------------------------

def with_first_weight(literal):
    return json.dumps(xor_doc()).replace('"weights": [[[1,', f'"weights": [[[{literal},', 1)


def test_with_first_weight_helper_really_substitutes():
    assert modelfile.parse(with_first_weight("2.5")).weights[0][0, 0] == 2.5


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals(literal):
    reject(with_first_weight(literal), literal, "finite")


@pytest.mark.parametrize("literal", ["1e999", "-1e999"])
def test_numbers_overflowing_to_infinity(literal):
    reject(with_first_weight(literal), literal, "float64")


def test_integer_beyond_float_range():
    reject(with_first_weight("1" + "0" * 400), "layer 1 weights", "float64")


def test_integer_with_thousands_of_digits():
    reject(with_first_weight("9" * 5000), "digits")


@pytest.mark.parametrize("literal, kind", [("true", "true"), ('"1"', '"1"'), ("null", "null"),
                                           ("[1]", "a list"), ("{}", "an object")])
def test_non_numbers_in_weights(literal, kind):
    reject(with_first_weight(literal), "layer 1 weights row 1 entry 1", kind)


def test_duplicate_keys_at_top_level_and_nested():
    text = json.dumps(xor_doc())
    reject(text[:-1] + ', "sizes": [2, 2, 1]}', '"sizes" appears twice')
    reject(text.replace('"training": {}', '"training": {"seed": 1, "seed": 2}'),
           '"seed" appears twice')


# --- document fields -------------------------------------------------------------------------

def drop(key):
    return lambda d: d.pop(key)


def put(key, value):
    return lambda d: d.__setitem__(key, value)


def put_in(keys, value):
    def mutate(doc):
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return mutate


REJECTIONS = {
    "format missing": (drop("format"), ["format is missing", "xornet-model"]),
    "format wrong": (put("format", "keras"), ['format is "keras"', "xornet-model"]),
    "version missing": (drop("version"), ["version is missing", "reads only version 1"]),
    "version future": (put("version", 2), ["version is 2", "reads only version 1", "upgrade"]),
    "version bool": (put("version", True), ["version is true"]),
    "version string": (put("version", "1"), ['version is "1"']),
    "version float": (put("version", 1.0), ["version is 1.0"]),
    "unknown key": (put("weigths", []), ['"weigths"', "did you mean 'weights'", "comment"]),
    "sizes missing": (drop("sizes"), ["sizes is missing"]),
    "sizes string": (put("sizes", "2-2-1"), ["sizes must be a list", "a string"]),
    "sizes one": (put("sizes", [2]), ["sizes must be a list of 2 to 64"]),
    "sizes 65": (put("sizes", [1] * 65), ["sizes must be", "a list of 65"]),
    "sizes zero": (put_in(["sizes", 1], 0), ["sizes entry 2 is 0"]),
    "sizes negative": (put_in(["sizes", 0], -2), ["sizes entry 1 is -2"]),
    "sizes wide": (put_in(["sizes", 1], 5000), ["sizes entry 2 is 5000", "4096"]),
    "sizes bool": (put_in(["sizes", 2], True), ["sizes entry 3 is true"]),
    "sizes float": (put_in(["sizes", 0], 2.0), ["sizes entry 1 is 2.0"]),
    # Declared before anything is built: the tiny weights are never looked at.
    "too many parameters": (put("sizes", [4096, 4096, 1]), ["16,785,409 parameters"]),
    "activations missing": (drop("activations"), ["activations is missing"]),
    "activations string": (put("activations", "step"), ["activations must be a list of 2"]),
    "activations count": (put("activations", ["step"]), ["activations must be", "a list of 1"]),
    "activation unknown": (put_in(["activations", 1], "softmax"),
                           ["layer 2 activation \"softmax\"", "sigmoid, tanh"]),
    "activation number": (put_in(["activations", 0], 1), ["layer 1 activation 1"]),
    "weights missing": (drop("weights"), ["weights is missing"]),
    "weights object": (put("weights", {}), ["weights must be a list of 2", "an object"]),
    "weights count": (put("weights", [[[1, 1], [1, 1]]]), ["weights must be", "a list of 1"]),
    "weights extra row": (put_in(["weights", 1], [[1], [-2], [3]]),
                          ["layer 2 weights have shape 3×1 but sizes say 2×1"]),
    "weights transposed": (put_in(["weights", 1], [[1, -2]]),
                           ["layer 2 weights have shape 1×2 but sizes say 2×1"]),
    "weights ragged": (put_in(["weights", 0], [[1, 1], [1]]), ["layer 1 weights are ragged"]),
    "weights flat": (put_in(["weights", 0], [1, 1, 1, 1]), ["layer 1 weights must be a list"]),
    "weights number": (put_in(["weights", 1], 3), ["layer 2 weights must be", "a number"]),
    "weights empty": (put_in(["weights", 1], []), ["layer 2 weights have shape 0×0"]),
    "biases missing": (drop("biases"), ["biases is missing"]),
    "both bias keys missing": (lambda d: (d.pop("bias"), d.pop("biases")),
                               ["biases is missing", "null"]),
    "bias true biases null": (put("biases", None), ["bias is true but biases is null"]),
    "bias false biases given": (put("bias", False), ["bias is false but biases is given"]),
    "bias string": (put("bias", "yes"), ['bias is "yes"', "true or false"]),
    "biases count": (put("biases", [[0, 0]]), ["biases must be a list of 2", "a list of 1"]),
    "biases length": (put_in(["biases", 1], [0, 0]),
                      ["layer 2 biases must be a list of 1 numbers", "a list of 2"]),
    "biases matrix": (put_in(["biases", 1], [[0]]), ["layer 2 biases entry 1 is a list"]),
    "biases bool": (put_in(["biases", 0, 1], False), ["layer 1 biases entry 2 is false"]),
    "training list": (put("training", []), ["training is a list"]),
    "training string": (put("training", "sgd"), ["training is a string"]),
    "training too deep": (put_in(["training", "deep"], json.loads("[" * 40 + "]" * 40)),
                          ["training is nested more than"]),
}


@pytest.mark.parametrize("mutate, needles", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_field_rejections(mutate, needles):
    doc = xor_doc()
    mutate(doc)
    reject(doc, *needles)


# --- hand-written files ----------------------------------------------------------------------

def xor_truth_table(spec):
    step = lambda z: (z >= 0).astype(float)  # noqa: E731
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    hidden = step(x @ spec.weights[0] + spec.biases[0])
    return step(hidden @ spec.weights[1] + spec.biases[1]).ravel().tolist()


def test_hand_written_xor_with_harmless_leniencies():
    text = """\ufeff{
      "_comment": "OR and AND in the hidden layer, then OR AND NOT AND",
      "comment": "integers are fine",
      "format": "xornet-model", "version": 1,
      "sizes": [2, 2, 1], "activations": ["step", "step"],
      "weights": [[[1, 1], [1, 1]], [[1], [-2]]],
      "biases": [[-0.5, -1.5], [-0.5]]
    }"""
    spec = modelfile.parse(text, source=SOURCE)
    assert spec.training == {}
    assert spec.weights[0].dtype == np.float64 and spec.biases[1].dtype == np.float64
    assert xor_truth_table(spec) == [0.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("bias_keys", [{"bias": False}, {"biases": None},
                                       {"bias": False, "biases": None}])
def test_network_without_bias_may_say_so_either_way(bias_keys):
    doc = {k: v for k, v in xor_doc().items() if k not in ("bias", "biases", "training")}
    doc.update(bias_keys)
    assert modelfile.parse(json.dumps(doc)).biases is None


def test_null_training_means_unknown():
    doc = xor_doc()
    doc["training"] = None
    assert modelfile.parse(json.dumps(doc)).training == {}


def test_parse_accepts_bytes_and_refuses_other_types():
    assert modelfile.parse(json.dumps(xor_doc()).encode()).sizes == [2, 2, 1]
    with pytest.raises(XornetError, match=r"xor.json.*dict"):
        modelfile.parse(xor_doc(), source=SOURCE)


# --- fuzzing: nothing but XornetError or a valid spec ----------------------------------------

def parses_or_rejects(text):
    try:
        spec = modelfile.parse(text, source="fuzz.json")
    except XornetError as e:
        assert str(e).startswith("fuzz.json: ")
        return None
    assert isinstance(spec, modeldoc.ModelSpec)
    assert len(spec.weights) == len(spec.sizes) - 1
    return spec


@FAST
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(data, folder):
    parses_or_rejects(data)
    path = folder / "fuzz.json"
    path.write_bytes(data)
    with contextlib.suppress(XornetError):
        modelfile.read(path)


def test_arbitrary_bytes_include_a_valid_file():
    assert parses_or_rejects(json.dumps(xor_doc()).encode()) is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@FAST
@given(value=json_values)
def test_arbitrary_json_values(value):
    parses_or_rejects(json.dumps(value))


@FAST
@given(key=st.sampled_from([*modeldoc.KNOWN_KEYS, "_note", "extra"]), value=json_values)
def test_valid_document_with_one_field_replaced(key, value):
    doc = xor_doc()
    doc[key] = value
    parses_or_rejects(json.dumps(doc))


REQUIRED = ["format", "version", "sizes", "activations", "weights", "biases"]
wrong_values = (st.text(max_size=5) | st.booleans() | st.none() | finite
                | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
non_numbers = st.text(max_size=3) | st.booleans() | st.none() | st.lists(finite, max_size=2)


@st.composite
def broken_documents(draw):
    doc = xor_doc()
    kind = draw(st.sampled_from(["drop", "retype", "reshape", "entry"]))
    layer = draw(st.integers(0, 1))
    if kind == "drop":
        doc.pop(draw(st.sampled_from(REQUIRED)))
    elif kind == "retype":
        key = draw(st.sampled_from([*REQUIRED, "bias", "training"]))
        value = draw(wrong_values.filter(
            lambda v: v != "xornet-model" and not (key == "bias" and isinstance(v, bool))
            and not (key == "training" and (v is None or isinstance(v, dict)))))
        doc[key] = value
    elif kind == "reshape":
        rows, vector = doc["weights"][layer], doc["biases"][layer]
        change = draw(st.sampled_from(["add row", "drop row", "add column", "drop column",
                                       "grow bias", "shrink bias", "grow sizes"]))
        if change == "add row":
            rows.append(list(rows[0]))
        elif change == "drop row":
            rows.pop()
        elif change == "add column":
            rows[draw(st.integers(0, len(rows) - 1))].append(0.5)
        elif change == "drop column":
            for row in rows:
                row.pop()
        elif change == "grow bias":
            vector.append(0.0)
        elif change == "shrink bias":
            vector.pop()
        else:
            doc["sizes"][draw(st.integers(0, 2))] += 1
    else:
        rows = doc["weights"][layer]
        i = draw(st.integers(0, len(rows) - 1))
        j = draw(st.integers(0, len(rows[i]) - 1))
        rows[i][j] = draw(non_numbers)
    return doc


@FAST
@given(doc=broken_documents())
def test_broken_documents_are_rejected(doc):
    with pytest.raises(XornetError, match=r"^fuzz.json: "):
        modelfile.parse(json.dumps(doc), source="fuzz.json")


# --- a step with its own threshold: {"name": "step", "theta": θ, "strict": bool} -------------
STRICT_HALF = {"name": "step", "theta": 0.5, "strict": True}


def drawn_and_doc(activation=STRICT_HALF):
    """AND drawn as the tutorials draw it: no bias, fires when 0.5·x1 + 0.5·x2 > 0.5."""
    return {"format": "xornet-model", "version": 1, "sizes": [2, 1], "bias": False,
            "activations": [activation], "weights": [[[0.5], [0.5]]], "biases": None}


def test_a_step_with_a_threshold_is_read_as_written():
    spec = modelfile.parse(json.dumps(drawn_and_doc()), source=SOURCE)
    assert spec.activations == [STRICT_HALF]
    doc = modelfile.to_document(spec.sizes, spec.activations, spec.weights, spec.biases)
    assert doc["activations"] == [STRICT_HALF]


def test_a_step_with_theta_0_and_not_strict_is_written_as_plain_step(tmp_path):
    import xornet

    net = xornet.Network.from_weights([[[1], [1]]], [[-1.5]],
                                      [{"name": "step", "theta": 0, "strict": False}])
    net.save(tmp_path / "and.json")
    assert json.loads((tmp_path / "and.json").read_text())["activations"] == ["step"]


@pytest.mark.parametrize("activation, needles", [
    ({"name": "sigmoid", "theta": 0.5}, ("layer 1 activation", "only the step takes")),
    ({"name": "step", "threshold": 0.5}, ("unknown field \"threshold\"", "name, theta, strict")),
    ({"name": "step", "theta": "0.5"}, ("theta is \"0.5\"", "a number like 0.5")),
    ({"name": "step", "theta": True}, ("theta is true",)),
    ({"name": "step", "theta": 0.5, "strict": 1}, ("strict is 1", "true (fire when z > theta)")),
    ("stepp", ("layer 1 activation \"stepp\" is unknown", '{"name": "step"')),
])
def test_a_bad_step_threshold_is_refused_naming_the_field(activation, needles):
    message = reject(drawn_and_doc(activation), *needles)
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


def test_the_threshold_decides_what_the_unit_computes():
    # oracle: the truth tables of 0.5·x1 + 0.5·x2 compared with 0.5 by > and by ≥, by hand
    import xornet

    X = np.array(list(itertools.product([0.0, 1.0], repeat=2)))
    for activation, column in ((STRICT_HALF, [0, 0, 0, 1]),
                               ({"name": "step", "theta": 0.5}, [0, 1, 1, 1])):
        spec = modelfile.parse(json.dumps(drawn_and_doc(activation)), source=SOURCE)
        net = xornet.Network.from_weights(spec.weights, spec.biases, spec.activations)
        assert net.predict(X)[:, 0].tolist() == column
