"""``akslocal start --workers N``: N server processes on one listening socket.

The parent prepares everything once (data dir, TLS files, bootstrap, banner), binds the port,
then forks the workers; each opens its own store connections and serves the shared socket
(the kernel hands every new connection to one of them).  All state lives in the store, so
any worker answers any request; what a worker keeps in memory is a cache with a stated
window (the active signing key: 1 s; client-credentials decisions: 2 s; unflushed sign-in
entries: 0.5 s).  A clock move is seen at once: every worker watches ``clock.json``.

The parent forwards SIGTERM and SIGINT to the workers and exits 0 once they have stopped.  A
worker that dies on its own stops the others, and the parent exits with its code (or 1).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable

log = logging.getLogger("akslocal.server")


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """The listening socket the workers share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def supervise(count: int, serve: Callable[[socket.socket], int], sock: socket.socket) -> int:
    """Fork ``count`` workers running ``serve(sock)``; wait for them; the exit code."""
    children: set[int] = set()
    stopping = False

    def stop_all(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for _ in range(count):
            pid = os.fork()
            if pid == 0:  # a worker: its own signal handling comes with its server
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                code = 1
                try:
                    code = serve(sock)
                except BaseException:
                    log.exception("worker %d failed", os.getpid())
                finally:
                    os._exit(code)
            children.add(pid)
        for sig in previous:
            signal.signal(sig, stop_all)
        exit_code = 0
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            if not stopping:
                log.error("worker %d exited with %d; stopping the others", pid, code)
                exit_code = code or 1
                stop_all()
        return exit_code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
