"""az's `- Running ..` indicator: written only when enabled (a terminal), and cleared at the end."""

from __future__ import annotations

import io

from akslocal.cli.core.progress import Progress


def test_nothing_is_written_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress(stream=stream) as progress:
        progress.tick()
        progress.tick()
    assert stream.getvalue() == ""


def test_spinner_then_cleared_on_a_terminal() -> None:
    stream = io.StringIO()
    with Progress(stream=stream, enabled=True) as progress:
        progress.tick()
        progress.tick()
    written = stream.getvalue()
    assert written.startswith("\r- Running ..")
    assert "\r\\ Running ..." in written
    assert written.endswith("\r")
