"""Length-framed messages over a pair of OS pipes, for a worker process.

The parent side never blocks for longer than a deadline and never deadlocks: while it waits
to write a request into a full pipe, it keeps reading the worker's replies into memory (a
worker blocked writing a reply would otherwise never read the rest of the request). All of
it runs in the calling thread. A `ProcessPoolExecutor` does this work in two helper
threads, and at several thousand articles a second their hand-offs of the GIL cost the
deciding thread more than the pickling itself (docs/stories.md#cost).

The child side is plain blocking reads and writes: it has nothing else to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import struct
import time
from collections import deque

_HEADER = struct.Struct("<Q")  # payload length
_READ_CHUNK = 1 << 20
# A bigger pipe lets a whole batch (~160 KB for 64 articles) go in one write while the
# worker is still busy. Linux only, best effort: without it the channel is just slower.
_PIPE_BYTES = 1 << 20


class WorkerGone(EOFError):
    """The other end closed its pipe: the worker exited or was killed."""


def enlarge(fd: int) -> None:
    """Ask for a bigger pipe buffer (ignored where not supported or not allowed)."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, setsize, _PIPE_BYTES)


class Channel:
    """The parent's end: `send` requests and `receive` replies, in order, with deadlines."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._read_fd, self._write_fd = read_fd, write_fd
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self._inbox = bytearray()  # bytes read but not yet a whole message
        # Read into one reused buffer: `os.read(fd, n)` allocates n bytes per call, and a
        # large fresh allocation is an mmap and page faults every time.
        self._buffer = bytearray(_READ_CHUNK)
        self._view = memoryview(self._buffer)
        self._replies: deque[bytes] = deque()  # whole messages not yet received

    def send(self, payload: bytes, timeout: float) -> None:
        """Write one message; TimeoutError when it cannot all be written within `timeout`."""
        data = _framed(payload)
        deadline = time.monotonic() + timeout
        while data:
            try:
                data = data[os.write(self._write_fd, data) :]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError as e:
                raise WorkerGone("the worker closed its end of the pipe") from e
            readable, writable, _ = select.select([self._read_fd], [self._write_fd], [], _remaining(deadline))
            if readable:
                self._pump()
            elif not writable:
                raise TimeoutError

    def receive(self, timeout: float) -> bytes:
        """The next message; TimeoutError when none is complete within `timeout`."""
        deadline = time.monotonic() + timeout
        while not self._replies:
            readable, _, _ = select.select([self._read_fd], [], [], _remaining(deadline))
            if not readable:
                raise TimeoutError
            self._pump()
        return self._replies.popleft()

    def _pump(self) -> None:
        """Read what the pipe holds now; split off whole messages."""
        while True:
            try:
                size = os.readv(self._read_fd, [self._buffer])
            except BlockingIOError:
                break
            if not size:
                raise WorkerGone("the worker closed its end of the pipe")
            self._inbox += self._view[:size]
            if size < _READ_CHUNK:
                break
        inbox = self._inbox
        start = 0
        while len(inbox) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(inbox, start)
            end = start + _HEADER.size + size
            if end > len(inbox):
                break
            self._replies.append(bytes(inbox[start + _HEADER.size : end]))
            start = end
        del inbox[:start]

    def close(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _framed(payload: bytes) -> memoryview:
    return memoryview(_HEADER.pack(len(payload)) + payload)


# -- the child's end ------------------------------------------------------------------


def read_message(fd: int) -> bytes | None:
    """Block for the next message; None at end of input (the parent closed its end)."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    payload = _read_exactly(fd, size)
    if payload is None:
        raise WorkerGone("the pipe closed inside a message")
    return payload


def write_message(fd: int, payload: bytes) -> None:
    data = _framed(payload)
    while data:
        data = data[os.write(fd, data) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts: list[bytes] = []
    missing = size
    while missing:
        chunk = os.read(fd, min(missing, _READ_CHUNK))
        if not chunk:
            if missing == size:
                return None
            raise WorkerGone("the pipe closed inside a message")
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)
