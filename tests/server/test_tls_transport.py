"""CoalescingTransport: the writes of one event-loop step leave as one write, in order."""

from __future__ import annotations

import asyncio

from akslocal.server.tls import CoalescingTransport


class _Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False
        self.paused = 0

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def pause_reading(self) -> None:
        self.paused += 1


def _run(steps):
    async def go():
        inner = _Recorder()
        outer = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
        await steps(outer, inner)
        return inner

    return asyncio.run(go())


def test_writes_of_one_step_are_joined_and_later_steps_write_again():
    async def steps(outer, inner):
        outer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        outer.write(b"{}")
        assert inner.writes == []  # nothing before the loop's next step
        await asyncio.sleep(0)
        assert inner.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
        outer.write(b"chunk")
        await asyncio.sleep(0)

    assert _run(steps).writes == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"chunk"]


def test_close_writes_what_is_pending_first_and_abort_drops_it():
    async def closing(outer, inner):
        outer.write(b"last")
        outer.close()
        await asyncio.sleep(0)

    inner = _run(closing)
    assert inner.writes == [b"last"] and inner.closed

    async def aborting(outer, inner):
        outer.write(b"dropped")
        outer.abort()
        await asyncio.sleep(0)

    inner = _run(aborting)
    assert inner.writes == [] and inner.aborted


def test_other_calls_reach_the_wrapped_transport_and_nothing_is_written_once_it_closes():
    async def steps(outer, inner):
        outer.pause_reading()
        outer.write(b"late")
        inner.closed = True
        await asyncio.sleep(0)

    inner = _run(steps)
    assert inner.paused == 1 and inner.writes == []
