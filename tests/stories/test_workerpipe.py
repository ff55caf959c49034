"""Framed messages over real OS pipes: no deadlock, deadlines kept, a gone worker reported."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from monitor.stories.workerpipe import Channel, WorkerGone, read_message, write_message


@pytest.fixture
def pipes() -> Iterator[tuple[Channel, int, int]]:
    """A parent Channel, and the worker's ends (reads requests, writes replies) at the
    default pipe size (64 KB on Linux), so that big messages fill them."""
    requests_read, requests_write = os.pipe()
    replies_read, replies_write = os.pipe()
    channel = Channel(replies_read, requests_write)
    yield channel, requests_read, replies_write
    channel.close()
    for fd in (requests_read, replies_write):
        try:
            os.close(fd)
        except OSError:
            pass


def _echo(source: int, sink: int, count: int) -> None:
    for _ in range(count):
        message = read_message(source)
        assert message is not None
        write_message(sink, message[::-1])


def test_big_messages_both_ways_do_not_deadlock(pipes: tuple[Channel, int, int]) -> None:
    channel, source, sink = pipes
    messages = [bytes([n]) * 3_000_000 + b"end" for n in range(3)]  # each ~46 pipe buffers
    worker = threading.Thread(target=_echo, args=(source, sink, len(messages)), daemon=True)
    worker.start()
    # All requests go out before any reply is asked for: the worker blocks writing its first
    # reply, and only a sender that reads replies while it waits can finish.
    for message in messages:
        channel.send(message, timeout=30)
    replies = [channel.receive(timeout=30) for _ in messages]
    worker.join(timeout=30)
    assert replies == [m[::-1] for m in messages]


def test_empty_and_small_messages_keep_their_order(pipes: tuple[Channel, int, int]) -> None:
    channel, source, sink = pipes
    messages = [b"", b"a", b"bc" * 10, b""]
    worker = threading.Thread(target=_echo, args=(source, sink, len(messages)), daemon=True)
    worker.start()
    for message in messages:
        channel.send(message, timeout=10)
    assert [channel.receive(timeout=10) for _ in messages] == [m[::-1] for m in messages]
    worker.join(timeout=10)


def test_deadlines_are_kept_when_the_worker_does_not_read_or_answer(pipes: tuple[Channel, int, int]) -> None:
    channel, _source, _sink = pipes
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        channel.receive(timeout=0.3)
    with pytest.raises(TimeoutError):
        channel.send(b"x" * 5_000_000, timeout=0.3)  # nobody reads: the pipe stays full
    assert time.monotonic() - start < 10  # neither call waited for ever


def test_a_closed_worker_end_is_reported(pipes: tuple[Channel, int, int]) -> None:
    channel, source, sink = pipes
    write_message(sink, b"last words")
    os.close(sink)
    assert channel.receive(timeout=5) == b"last words"  # what was sent before the exit is kept
    with pytest.raises(WorkerGone):
        channel.receive(timeout=5)
    os.close(source)
    with pytest.raises(WorkerGone):
        channel.send(b"anyone?", timeout=5)


def test_the_worker_side_sees_end_of_input_and_cut_messages() -> None:
    read_fd, write_fd = os.pipe()
    write_message(write_fd, b"whole")
    os.write(write_fd, (100).to_bytes(8, "little") + b"only ten b")  # header promises 100 bytes
    os.close(write_fd)
    assert read_message(read_fd) == b"whole"
    with pytest.raises(WorkerGone):
        read_message(read_fd)
    os.close(read_fd)

    read_fd, write_fd = os.pipe()
    os.close(write_fd)
    assert read_message(read_fd) is None  # clean end between messages
    os.close(read_fd)
