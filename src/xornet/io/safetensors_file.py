"""The safetensors format, written and read by hand: a JSON header, then raw little-endian bytes.

A safetensors file is three parts, and nothing in it is ever executed (unlike a PyTorch
``.pt`` file, which is a pickle)::

    8 bytes      N, the header's length, an unsigned little-endian integer
    N bytes      a JSON object: {"0.weight": {"dtype": "F64", "shape": [2, 2],
                 "data_offsets": [0, 32]}, ..., "__metadata__": {"key": "text", ...}}
    the rest     every tensor's bytes, one after the other, row-major

Reading checks the whole header — names, types, shapes, byte counts, that the tensors tile
the data exactly — before a single array is made, so a file that claims 10^12 numbers is
refused from its first kilobyte. This module knows the container only; which tensors make
a network is :mod:`xornet.io.exchange`'s business.
"""

import json
import math
import struct
from collections.abc import Callable

import numpy as np

from xornet.errors import XornetError

MAX_HEADER = 2**20  # a 63-layer network's header is ~10 kB; the format itself allows 100 MB
DTYPES = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4")}  # widened to float64 on reading
ENTRY_KEYS = {"dtype", "shape", "data_offsets"}


def encode(tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` as float64, in the given order.

    Parameters
    ----------
    tensors : dict of str to ndarray
        Name → array; each is written row-major as little-endian float64 ("F64").
    metadata : dict of str to str
        Written as the header's ``__metadata__`` (the format allows text values only).

    Returns
    -------
    bytes
    """
    header, chunks, offset = {}, [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype="<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(np.shape(array)),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = dict(metadata)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad with spaces so the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def decode(data: bytes, source: str, max_elements: int, check: Callable[[dict], None]
           ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Check a safetensors file's bytes; return its tensors (float64) and metadata.

    Parameters
    ----------
    data : bytes
        The whole file.
    source : str
        The file's name, for messages.
    max_elements : int
        The most numbers all tensors together may hold; checked from the header alone.
    check : callable
        ``check(headers)`` is called with ``{name: (dtype, shape)}`` from the header alone,
        before any array is made; it raises XornetError for tensors the caller does not want.

    Returns
    -------
    tensors : dict of str to ndarray
        In the header's order, each a float64 copy of the stored shape.
    metadata : dict of str to str

    Raises
    ------
    XornetError
        For anything but a well-formed file within the limits, naming the file and the field.
    """
    header, start = _header(data, source)
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
            isinstance(v, str) for v in metadata.values()):
        _fail(source, "__metadata__ must be an object of text values")
    entries = {name: _entry(name, value, source) for name, value in header.items()}
    total = sum(math.prod(shape) for _, shape, _ in entries.values())
    if total > max_elements:
        _fail(source, f"the header declares {total:,} numbers, more than the limit of "
                      f"{max_elements:,}; this is not a model xornet can hold")
    check({name: (dtype, shape) for name, (dtype, shape, _) in entries.items()})
    _check_tiling(entries, len(data) - start, source)
    tensors = {}
    for name, (dtype, shape, (begin, _)) in entries.items():
        raw = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=start + begin)
        tensors[name] = raw.reshape(shape).astype(np.float64)  # a copy: F32 widens exactly
    return tensors, metadata


def _header(data, source):
    """The parsed header (a dict) and where the data starts."""
    if len(data) < 8:
        _fail(source, f"is {len(data)} bytes, too short for a safetensors file (its first 8 "
                      "bytes give the header's length)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        _fail(source, f"its header claims {n:,} bytes, more than the {MAX_HEADER:,} a model's "
                      "header needs; this is not a safetensors file xornet can read")
    if 8 + n > len(data):
        _fail(source, f"is truncated: its header claims {n:,} bytes but only "
                      f"{len(data) - 8:,} follow")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=_no_duplicates,
                            parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as e:
        _fail(source, f"its header is not valid JSON ({e}); this is not a safetensors file")
    if not isinstance(header, dict):
        _fail(source, "its header is not a JSON object; this is not a safetensors file")
    return header, 8 + n


def _entry(name, value, source):
    """One tensor's (dtype, shape, (begin, end)), checked for form only."""
    what = f"tensor {name!r}"
    if not isinstance(value, dict) or set(value) != ENTRY_KEYS:
        _fail(source, f"{what} must have exactly the fields dtype, shape and data_offsets")
    if value["dtype"] not in DTYPES:
        _fail(source, f"{what} has dtype {value['dtype']!r}; xornet reads F64 (float64) and "
                      "F32 (float32) only")
    shape, offsets = value["shape"], value["data_offsets"]
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        _fail(source, f"{what} has shape {shape!r}; a shape is a list of whole numbers")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int and o >= 0 for o in offsets) or offsets[0] > offsets[1]):
        _fail(source, f"{what} has data_offsets {offsets!r}; write [begin, end] in bytes")
    dtype = DTYPES[value["dtype"]]
    expected = math.prod(shape) * dtype.itemsize
    if offsets[1] - offsets[0] != expected:
        _fail(source, f"{what} has shape {shape} ({expected:,} bytes of {value['dtype']}) but "
                      f"data_offsets span {offsets[1] - offsets[0]:,} bytes")
    return dtype, tuple(shape), tuple(offsets)


def _check_tiling(entries, n_data, source):
    """The tensors' byte ranges must cover the data exactly: no gap, no overlap, no tail."""
    end = 0
    for name, (_, _, (begin, stop)) in sorted(entries.items(), key=lambda e: e[1][2]):
        if begin != end:
            _fail(source, f"tensor {name!r} starts at byte {begin:,}, expected {end:,}; "
                          "tensors must follow one another without gaps or overlaps")
        end = stop
    if end != n_data:
        state = "truncated" if end > n_data else "followed by stray bytes"
        _fail(source, f"is {state}: the header describes {end:,} bytes of tensor data but "
                      f"{n_data:,} are there")


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a name appears twice")
    return dict(pairs)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _fail(source, message):
    raise XornetError(f"{source}: {message}.")
