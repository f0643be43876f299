"""The exec protocol: which ExecCredential version kubectl asked for, and the one line we print.

kubectl sets ``KUBERNETES_EXEC_INFO`` to an ExecCredential whose ``apiVersion`` is the
kubeconfig's; the answer must carry the same one (kubelogin: default v1beta1, anything else
``api version: X is not supported``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

from akslocal.kubelogin.errors import KubeloginError

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"
SUPPORTED = (V1, V1BETA1)


def requested_api_version(env: Mapping[str, str] = os.environ) -> str:
    raw = env.get("KUBERNETES_EXEC_INFO", "")
    if not raw.strip():
        return V1BETA1
    try:
        info = json.loads(raw)
    except ValueError as err:
        raise KubeloginError(f"cannot parse KUBERNETES_EXEC_INFO: {err}") from err
    version = info.get("apiVersion") if isinstance(info, dict) else None
    if not version:
        return V1BETA1
    if version not in SUPPORTED:
        raise KubeloginError(f"api version: {version} is not supported")
    return version


def render(api_version: str, token: str, expires_wall: float) -> str:
    """One ExecCredential JSON line; ``expirationTimestamp`` is wall time, which kubectl compares against."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_wall))
    return json.dumps({"kind": "ExecCredential", "apiVersion": api_version, "spec": {},
                       "status": {"token": token, "expirationTimestamp": stamp}}, separators=(",", ":"))


def clock_offset(env: Mapping[str, str] = os.environ) -> float:
    """The emulator clock's offset from wall time (0 without ``AKSLOCAL_DATA_DIR``)."""
    data_dir = env.get("AKSLOCAL_DATA_DIR")
    if not data_dir:
        return 0.0
    from akslocal.clock import read_clock_offset

    return read_clock_offset(Path(data_dir).expanduser())


def ca_verify(env: Mapping[str, str] = os.environ) -> str | bool:
    """What to trust: ``AKSLOCAL_CA_BUNDLE``, else ``REQUESTS_CA_BUNDLE``, else the system's CAs."""
    for name in ("AKSLOCAL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        value = env.get(name)
        if value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise KubeloginError(f"{name} names {path}, which is not a file")
            return str(path)
    return True
