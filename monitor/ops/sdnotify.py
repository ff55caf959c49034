"""systemd notification over $NOTIFY_SOCKET (READY, STATUS, WATCHDOG, STOPPING).

A few lines over a datagram socket: systemd-python does not build everywhere. Outside
systemd every call is a no-op.
"""

from __future__ import annotations

import os
import socket


def _address() -> str | None:
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return None
    # '@' marks a Linux abstract socket
    return "\0" + addr[1:] if addr.startswith("@") else addr


def notify(*lines: str) -> bool:
    """Send `KEY=value` lines; True when a socket was there to receive them."""
    addr = _address()
    if addr is None:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        try:
            sock.sendto("\n".join(lines).encode("utf-8"), addr)
        except OSError:
            return False
    return True


def watchdog_interval() -> float | None:
    """Half the WatchdogSec= systemd asked for, in seconds; None when not watched."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 1_000_000 / 2
    except ValueError:
        return None
