"""PI30 framing: CRC-16/XMODEM with the Voltronic byte quirk.

Pure functions from bytes to bytes or text; no I/O here.
"""

from __future__ import annotations

from binascii import crc_hqx

from .exceptions import Pi30ChecksumError, Pi30ProtocolError

CR = b"\r"
# Bytes the device treats as frame markers; a CRC byte equal to one is sent one higher.
_RESERVED = frozenset((0x28, 0x0D, 0x0A))
# Python tools also bump 0x00; no capture settles whether devices do, so replies accept both.
_RESERVED_WITH_NUL = _RESERVED | {0x00}


def crc16(data: bytes) -> int:
    """Return CRC-16/XMODEM of data (poly 0x1021, init 0, no reflection)."""
    return crc_hqx(data, 0)


def _bump(value: int, reserved: frozenset[int]) -> bytes:
    return bytes(b + 1 if b in reserved else b for b in value.to_bytes(2))


def crc_bytes(data: bytes) -> bytes:
    """Return the two CRC bytes a device sends or expects after data."""
    return _bump(crc16(data), _RESERVED)


def _accepted_crcs(data: bytes) -> set[bytes]:
    raw = crc16(data)
    return {raw.to_bytes(2), _bump(raw, _RESERVED), _bump(raw, _RESERVED_WITH_NUL)}


def encode_request(command: str) -> bytes:
    """Build the request frame for a command such as ``QPIGS`` or ``POP02``."""
    body = command.encode("ascii")
    return body + crc_bytes(body) + CR


def _trim(frame: bytes) -> bytes:
    """Drop HID NUL padding, and the LF that units ending in CR LF leave on either side."""
    frame = frame.lstrip(b"\n\x00").rstrip(b"\x00")
    if frame.endswith(b"\r\n"):
        frame = frame[:-1]
    return frame


def _checked_body(frame: bytes, *, strict: bool) -> bytes:
    """The frame without CRC and CR, after checking the CRC.

    strict accepts only the bumped form that devices demand of requests.
    """
    body, received = frame[:-3], frame[-3:-1]
    accepted = {crc_bytes(body)} if strict else _accepted_crcs(body)
    if received not in accepted:
        raise Pi30ChecksumError(
            f"CRC mismatch: expected {crc_bytes(body).hex()}, got {received.hex()}"
        )
    return body


def decode_response(frame: bytes) -> str:
    """Return the payload of a response frame, without ``(`` and CRC.

    Raises Pi30ProtocolError for a frame of the wrong shape and
    Pi30ChecksumError when the CRC does not match.
    """
    frame = _trim(frame)
    if not frame.startswith(b"(") or not frame.endswith(CR):
        raise Pi30ProtocolError(f"not a PI30 response frame: {frame!r}")
    if len(frame) < 4:
        raise Pi30ProtocolError(f"frame too short: {frame!r}")
    return _checked_body(frame, strict=False)[1:].decode("ascii", errors="replace")


def decode_request(frame: bytes) -> str:
    """Return the command in a request frame, checked as strictly as a device does.

    A device refuses a request whose CRC lacks the byte bump, so this does too.
    """
    frame = _trim(frame)
    if not frame.endswith(CR) or len(frame) < 4:
        raise Pi30ProtocolError(f"not a PI30 request frame: {frame!r}")
    return _checked_body(frame, strict=True).decode("ascii", errors="replace")


def encode_response(payload: str) -> bytes:
    """Build a response frame, as a device would send it (used by the emulator).

    A CRC byte of 0x00 is bumped too: the common Python tools refuse it otherwise, and
    our decoder takes either form.
    """
    data = b"(" + payload.encode("ascii")
    return data + _bump(crc16(data), _RESERVED_WITH_NUL) + CR
