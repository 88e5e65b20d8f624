"""The npz format for NumPy users: a zip archive of ``.npy`` arrays, read without pickle.

``np.savez`` writes one ``NAME.npy`` member per array into a zip file, and ``np.load``
gives them back by name. An ``.npy`` member can also hold an *object* array, which only a
pickle can restore — and unpickling runs code chosen by whoever wrote the file. So reading
here checks every member before anything is loaded: the zip's declared sizes, then each
member's ``.npy`` header (its dtype must be plain numbers or text, never objects; its shape
must fit the byte count and the limits), and only then ``np.load(..., allow_pickle=False)``.
Which arrays make a network is :mod:`xornet.io.exchange`'s business.
"""

import io
import math
import zipfile
from collections.abc import Callable

import numpy as np

from xornet.errors import XornetError

MAX_MEMBERS = 256  # a 63-layer network has 128 arrays


def encode(arrays: dict[str, np.ndarray]) -> bytes:
    """The bytes of an npz file holding ``arrays`` (name → array), uncompressed, no pickle."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # names, not savez's own keywords
    return buffer.getvalue()


def decode(data: bytes, source: str, max_bytes: int, check: Callable[[dict], None]
           ) -> dict[str, np.ndarray]:
    """Check an npz file's bytes member by member, then load its arrays without pickle.

    Parameters
    ----------
    data : bytes
        The whole file.
    source : str
        The file's name, for messages.
    max_bytes : int
        The most bytes all members together may unpack to (their declared sizes).
    check : callable
        ``check(headers)`` is called with ``{name: (dtype, shape)}`` of every member, read
        from the ``.npy`` headers alone before any array is loaded; it raises XornetError
        for arrays the caller does not want.

    Returns
    -------
    dict of str to ndarray

    Raises
    ------
    XornetError
        For anything but a well-formed archive of plain arrays, naming the file and member.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _failure(source, "is not an npz file (a zip archive of .npy arrays, as np.savez "
                               "writes)") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(infos) > MAX_MEMBERS or len(set(names)) != len(names):
            _fail(source, f"holds {len(infos)} members ({len(set(names))} distinct names); a "
                          f"model's npz holds at most {MAX_MEMBERS} differently named arrays")
        declared = sum(info.file_size for info in infos)
        if declared > max_bytes:
            _fail(source, f"its members unpack to {declared:,} bytes, more than the "
                          f"{max_bytes:,} a model may take")
        check(dict(_member_header(archive, info, source) for info in infos))
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise _failure(source, f"cannot be loaded ({e})") from None


def _member_header(archive, info, source):
    """One member's name and (dtype, shape), from its .npy header: a plain dtype, and a shape
    its bytes can hold."""
    if not info.filename.endswith(".npy"):
        _fail(source, f"member {info.filename!r} is not a .npy array; an npz holds only "
                      "NAME.npy members")
    name = info.filename.removesuffix(".npy")
    try:
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"version {version} of the .npy format")
    except (ValueError, OSError, EOFError, RuntimeError, zipfile.BadZipFile) as e:
        _fail(source, f"array {name!r} has no readable .npy header ({e})")
    if dtype.hasobject:
        _fail(source, f"array {name!r} is an object array, which only a pickle can load, and "
                      "xornet never loads pickles; save plain numbers and text")
    if math.prod(shape) * dtype.itemsize > info.file_size:
        _fail(source, f"array {name!r} claims shape {shape} of {dtype}, more bytes than its "
                      f"{info.file_size:,} in the archive")
    return name, (dtype, shape)


def _failure(source, message):
    return XornetError(f"{source}: {message}.")


def _fail(source, message):
    raise _failure(source, message)
