"""Errors raised by the Lumentree driver."""


class LumentreeError(Exception):
    """Base class of every Lumentree driver error."""


class LumentreeConnectionError(LumentreeError):
    """The port could not be opened, or a unit did not answer."""


class LumentreeValueError(LumentreeError, ValueError):
    """A power outside what the unit and the user allow; nothing was sent."""
