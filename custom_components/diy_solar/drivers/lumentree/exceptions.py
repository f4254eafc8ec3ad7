"""Errors raised by the Lumentree driver."""


class LumentreeError(Exception):
    """Base class of every Lumentree driver error."""


class LumentreeConnectionError(LumentreeError):
    """The port could not be opened, or a unit did not answer."""


class LumentreeProtocolError(LumentreeError):
    """A unit answered with a reading no unit can give (a garbled reply)."""


class LumentreeValueError(LumentreeError, ValueError):
    """A power outside what the unit and the user allow; nothing was sent."""
