"""Errors raised by the BMS drivers."""


class BmsError(Exception):
    """Base class of every BMS driver error."""


class BmsConnectionError(BmsError):
    """The port could not be opened, or the BMS did not answer (in full) in time."""


class BmsFrameError(BmsError):
    """Bytes arrived that are not a valid reply: bad checksum, wrong address, an echo."""


class BmsValueError(BmsError, ValueError):
    """A request the BMS does not allow; nothing was sent."""


class BmsRejectedError(BmsError):
    """The BMS took a command but does not report the state asked for."""
