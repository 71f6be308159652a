"""Errors raised by the serial device layer.

Messages are Vietnamese first (a technician reads them on the device list), with the technical
detail after a dash so a log stays greppable.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base class for every error of a serial device (display, keypad, port)."""


class DeviceOffline(DeviceError):
    """The device cannot be reached now (port gone, cable unplugged, no reply).

    Callers keep running: the next call tries to reopen the port, so an agent only has to report
    the status and retry later.
    """

    def __init__(self, device: str, reason: str) -> None:
        self.device = device
        self.reason = reason
        super().__init__(f"Thiết bị {device} mất kết nối — {reason}")


class DeviceConfigError(DeviceError, ValueError):
    """A device configuration entry is missing a field or has an unusable value."""


class DisplayTextError(DeviceError, ValueError):
    """The text cannot be shown on this display (too long, nothing displayable)."""


class DeviceReplyError(DeviceError):
    """The device answered, but with a refusal (NAK, Modbus exception) or a corrupt reply."""
