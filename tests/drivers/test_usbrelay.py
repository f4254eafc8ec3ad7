"""The USB relay driver against boards emulated at the hidapi boundary."""

from __future__ import annotations

import pytest

from custom_components.diy_solar.drivers.usbrelay import (
    UsbRelayBoard,
    UsbRelayConnectionError,
    channels_from_product,
    find_boards,
    parse_report,
)
from custom_components.diy_solar.drivers.usbrelay.protocol import all_command, switch_command
from custom_components.diy_solar.emulators.usbrelay import FakeHidapi, RelayBoardEmulator
from tests.vectors import device_lines

VECTORS = {
    comment.split(";")[0].split("(")[0].strip(): bytes.fromhex(text.split(None, 1)[1])
    for text, comment in device_lines("(d)")
    if text.startswith("SET_FEATURE")
}
REPORT = bytes.fromhex(
    next(t for t, _ in device_lines("(d)") if t.startswith("GET_FEATURE")).split(":", 1)[1]
)


def test_captured_report_and_commands() -> None:
    state = parse_report(REPORT, 4)
    assert state.serial == "LHCXI"
    assert state.states == (False, True, False, False)  # relay 2 on
    assert switch_command(1, True) == VECTORS["relay 1 ON"]
    assert switch_command(1, False) == VECTORS["relay 1 OFF"]
    assert all_command(True) == VECTORS["all ON"]
    assert all_command(False) == VECTORS["all OFF"]


@pytest.mark.parametrize(
    ("product", "channels"),
    [
        ("USBRelay1", 1),
        ("USBRelay2", 2),
        ("USBRelay4", 4),
        ("USBRelay8", 8),
        ("USBRelay9", None),
        ("USBRelay0", None),
        (" USBRelay2 ", 2),  # padding some boards carry
        ("Keyboard", None),
        ("", None),
        (None, None),
    ],
)
def test_channel_count_from_the_product(product: str | None, channels: int | None) -> None:
    assert channels_from_product(product) == channels


def test_boards_are_told_apart_by_serial_and_switched() -> None:
    one = RelayBoardEmulator("AAAAA", 2, b"/dev/hidraw1")
    two = RelayBoardEmulator("BBBBB", 4, b"/dev/hidraw2")
    hid = FakeHidapi(one, two)
    assert [(b.serial, b.channels) for b in find_boards(hid)] == [("AAAAA", 2), ("BBBBB", 4)]
    board = UsbRelayBoard("BBBBB", hid)
    assert board.switch(3, True).states == (False, False, True, False)
    assert two.commands[-1] == switch_command(3, True)
    assert one.states == [False, False]
    assert board.switch_all(True).states == (True,) * 4
    assert board.switch_all(False).states == (False,) * 4
    with pytest.raises(ValueError, match="channel 5"):
        board.switch(5, True)


def test_a_board_that_moves_is_found_again_and_one_that_vanishes_is_an_error() -> None:
    emulated = RelayBoardEmulator("LHCXI", 2, b"/dev/hidraw1")
    hid = FakeHidapi(emulated)
    board = UsbRelayBoard("LHCXI", hid)
    assert board.read().states == (False, False)
    emulated.plugged = False
    with pytest.raises(UsbRelayConnectionError):
        board.read()
    with pytest.raises(UsbRelayConnectionError, match="not plugged in"):
        board.read()
    emulated.plugged, emulated.path = True, b"/dev/hidraw7"  # back on another node
    assert board.switch(1, True).states == (True, False)


@pytest.mark.parametrize(
    ("report", "serial"),
    [
        (b"ABCDEFG\x05", "ABCDE"),  # five bytes of serial, never the sixth
        (b"AB\x00C\x00\x00\x00\x05", "AB"),  # up to the first NUL
        (b"A\xffCDE\x00\x00\x05", "A\ufffdCDE"),  # a byte that is not ASCII is shown, not fatal
    ],
)
def test_the_serial_is_the_reports_first_five_bytes_up_to_a_nul(report: bytes, serial: str) -> None:
    state = parse_report(report, 2)
    assert (state.serial, state.states) == (serial, (True, False))


def test_a_short_report_says_how_short() -> None:
    with pytest.raises(ValueError, match="feature report of 7 bytes, expected 8"):
        parse_report(b"ABCDE\x00\x00", 2)
