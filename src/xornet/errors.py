"""The one exception type xornet raises for anything a user can get wrong.

Every message is one sentence that names the field at fault and how to fix it. The command
line turns an ``XornetError`` into that sentence on stderr and exit code 2.
"""


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

    def __init__(self, message, epoch, history=None):
        super().__init__(message)
        self.epoch = epoch
        self.history = history
