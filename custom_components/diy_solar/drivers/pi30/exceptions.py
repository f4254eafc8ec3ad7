"""Errors raised by the PI30 driver."""


class Pi30Error(Exception):
    """Base class of every PI30 driver error."""


class Pi30ConnectionError(Pi30Error):
    """The port could not be opened, or the device did not answer in time."""


class Pi30ProtocolError(Pi30Error):
    """A frame arrived but is not a PI30 frame we can use."""


class Pi30ChecksumError(Pi30ProtocolError):
    """A frame arrived with a CRC that does not match its content."""


class Pi30RejectedError(Pi30Error):
    """The device refused a setting (NAK) or did not apply it."""


class Pi30ValueError(Pi30Error, ValueError):
    """A setting is outside what the device allows; nothing was sent."""
