"""The one exception type xornet raises for anything a user can get wrong.

Every message is one sentence that names the field at fault and how to fix it. The command
line turns an ``XornetError`` into that sentence on stderr and exit code 2.

``require`` lives here too: every room may import this module, and a missing optional
package is one more thing a user can fix (with the ``pip install`` the sentence names).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xornet.train.history import History


class XornetError(ValueError):
    """A problem with the user's input, file, data or configuration."""


class DivergenceError(XornetError):
    """Training produced a non-finite loss or weight.

    Attributes
    ----------
    epoch : int
        The 1-based epoch in which the non-finite number appeared.
    history : History or None
        What was recorded up to that epoch.
    """

    def __init__(self, message: str, epoch: int, history: History | None = None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class MissingExtra(XornetError, ImportError):
    """A feature needs an optional package (an extra of ``pip install xornet[...]``) that is
    not installed. It is an ``ImportError`` too, so ``except ImportError`` still catches it."""


# The package each extra brings, by the name it is imported as; pyproject.toml's
# [project.optional-dependencies] is the list that installs them.
EXTRAS = {
    "viz": ("matplotlib", "PIL"),
    "fast": ("numba",),
    "playground": ("fastapi", "uvicorn", "websockets"),
    "dask": ("dask", "distributed"),
    "export": ("onnx",),
}
_PACKAGE = {"PIL": "Pillow"}  # import name → the name pip knows it by, where they differ


def require(extra: str, what: str) -> None:
    """Raise ``MissingExtra`` unless every package of ``extra`` is installed.

    Parameters
    ----------
    extra : str
        A key of ``EXTRAS`` (``"viz"``, ``"fast"``, ``"playground"``, ``"dask"``,
        ``"export"``).
    what : str
        What needs it, opening the sentence as a field does (``"pictures"``, ``"backend"``).

    Nothing is imported: the check only asks whether each package can be found, so one that
    is installed but broken still fails where it is imported, with its own message.
    """
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package missing, or a half-removed one
            found = False
        if not found:
            raise MissingExtra(f"{what}: {_PACKAGE.get(module, module)} is not installed; "
                               f"install it with: pip install 'xornet[{extra}]'.")
