"""What JK and Daly battery management systems have in common: the status they report,
the errors their drivers raise, the serial link they talk over and their command line."""

from .exceptions import (
    BmsConnectionError,
    BmsError,
    BmsFrameError,
    BmsRejectedError,
    BmsValueError,
)
from .link import SerialLink
from .models import BmsStatus

__all__ = [
    "BmsConnectionError",
    "BmsError",
    "BmsFrameError",
    "BmsRejectedError",
    "BmsStatus",
    "BmsValueError",
    "SerialLink",
]
