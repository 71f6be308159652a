"""Serial counter hardware: LED counter displays and rating keypads, with simulators.

Public API (what the device agent uses)::

    from hardware.serial import create_display, SerialKeypad, DeviceOffline
    display = create_display({"protocol": "ascii-stx", "port": "/dev/ttyUSB0", "address": 3})
    display.show(3, "A025")          # raises DeviceOffline if unplugged; retry later
    keypad = SerialKeypad({"port": "/dev/ttyUSB1", "levels": 3}, on_press=print).start()

Simulators (``create_display_simulator`` + ``BusSimulator``, ``KeypadSimulator``) play the
device side over any pyserial URL, e.g. a :class:`~hardware.serial.virtual.SocatPair`.
"""

from .display import (
    DisplaySimulator,
    LedDisplay,
    create_display,
    create_display_simulator,
    display_protocols,
    register_display,
)
from .errors import (
    DeviceConfigError,
    DeviceError,
    DeviceOffline,
    DeviceReplyError,
    DisplayTextError,
)
from .keypad import (
    LEVEL_NAMES,
    Debouncer,
    KeyFrameParser,
    KeypadSimulator,
    KeyPress,
    SerialKeypad,
    build_key_frame,
    key_to_level,
    keyboard_key_table,
    parse_keyboard_key,
)
from .simulator import BusSimulator
from .text import led_text, strip_diacritics

__all__ = [
    "LEVEL_NAMES", "BusSimulator", "Debouncer", "DeviceConfigError", "DeviceError", "DeviceOffline",
    "DeviceReplyError", "DisplaySimulator", "DisplayTextError", "KeyFrameParser", "KeyPress",
    "KeypadSimulator", "LedDisplay", "SerialKeypad", "build_key_frame", "create_display",
    "create_display_simulator", "display_protocols", "key_to_level", "keyboard_key_table", "led_text",
    "parse_keyboard_key", "register_display", "strip_diacritics",
]
