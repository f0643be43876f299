"""Processes that start together on one data dir end up with one CA, one server certificate and one client CA."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

from akslocal.pki import load_or_create_client_ca, load_or_create_edge_tls


def _create(data_dir: str, out) -> None:
    ca, cert, _key = load_or_create_edge_tls(Path(data_dir), ["127.0.0.1"])
    client_ca, client_path = load_or_create_client_ca(Path(data_dir))
    out.put((ca.read_text(), cert.read_text(), client_path.read_text(), client_ca.cert_pem))


def test_parallel_first_starts_agree_on_every_file(tmp_path):
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    procs = [context.Process(target=_create, args=(str(tmp_path), out)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    results = [out.get(timeout=10) for _ in procs]
    assert len(set(results)) == 1
    ca_pem, _server_pem, client_pem, client_loaded = results[0]
    assert client_pem == client_loaded and ca_pem != client_pem
    tls = tmp_path / "tls"
    assert not list(tls.glob("*.tmp")) and not list(tls.glob(".*.tmp"))
    for key in ("ca-key.pem", "server-key.pem", "client-ca-key.pem"):
        assert stat.S_IMODE((tls / key).stat().st_mode) == 0o600
    assert stat.S_IMODE((tls / "ca.pem").stat().st_mode) == 0o644
