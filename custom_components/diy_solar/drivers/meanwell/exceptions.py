"""Errors raised by the Mean Well CAN driver."""


class MeanWellError(Exception):
    """Base class of every Mean Well driver error."""


class MeanWellConnectionError(MeanWellError):
    """The CAN interface could not be opened, or the device did not answer in time."""


class MeanWellProtocolError(MeanWellError):
    """A reply arrived that does not fit the command, or the model is not one we know."""


class MeanWellRejectedError(MeanWellError):
    """A write was sent but reading back shows another value."""


class MeanWellValueError(MeanWellError, ValueError):
    """A setting is outside what the model and the user allow; nothing was sent."""
