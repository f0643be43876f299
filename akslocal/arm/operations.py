"""Long-running operations (ARM async pattern): an operation status resource in the store.

A PUT/DELETE that takes time answers 201/202 with ``Azure-AsyncOperation`` (the status
resource), ``Location`` (the result) and ``Retry-After``.  The work itself is done when the
request is accepted; the operation stays ``InProgress`` until ``settings.operation_delay``
seconds of emulator time (``services.clock``) have passed, then becomes ``Succeeded`` (or
``Failed``) the next time anyone looks: :func:`settle` runs the resource's completion step.
All of it lives in the store, so a restarted server finishes what the previous one started.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from akslocal.arm.kinds import OPERATIONS

IN_PROGRESS, SUCCEEDED, FAILED = "InProgress", "Succeeded", "Failed"
TERMINAL = (SUCCEEDED, FAILED, "Canceled")
CONTAINER_SERVICE = "Microsoft.ContainerService"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def start(tx, *, op_id: str, now: float, delay: float, kind: str, resource_key: str, subscription_id: str,
          location: str | None, provider: str = CONTAINER_SERVICE, error: dict | None = None) -> dict:
    """Record a new operation; ``error`` makes it one that fails when it completes."""
    doc = {
        "id": op_id, "status": IN_PROGRESS, "start": now, "due": now + max(0.0, delay), "kind": kind,
        "resourceKey": resource_key, "subscriptionId": subscription_id, "location": location,
        "provider": provider, "pendingError": error,
    }
    tx.create(OPERATIONS, op_id, doc)
    return doc


def get(tx, op_id: str) -> dict | None:
    if not isinstance(op_id, str) or not 0 < len(op_id) <= 64:
        return None
    return tx.get(OPERATIONS, op_id.lower())


def settle(tx, now: float, completers: dict[str, Callable[[Any, dict], None]]) -> int:
    """Finish every operation whose time has come; returns how many finished."""
    done = 0
    for record in tx.find(OPERATIONS, "status", IN_PROGRESS):
        op = record.doc
        if op["due"] > now:
            continue
        if op.get("pendingError"):
            op["status"], op["error"] = FAILED, op["pendingError"]
        else:
            op["status"] = SUCCEEDED
        completer = completers.get(op["kind"])
        if completer is not None:
            completer(tx, op)
        op["end"] = now
        tx.put(OPERATIONS, record.key, op)
        done += 1
    return done


def has_due(tx, now: float) -> bool:
    return any(r.doc["due"] <= now for r in tx.find(OPERATIONS, "status", IN_PROGRESS))


def retry_after(op: dict, now: float) -> str:
    remaining = op["due"] - now
    return str(max(0, math.ceil(remaining))) if op["status"] == IN_PROGRESS else "0"


def status_path(op: dict) -> str:
    if op["provider"] == CONTAINER_SERVICE:
        return (f"/subscriptions/{op['subscriptionId']}/providers/{CONTAINER_SERVICE}/locations/{op['location']}"
                f"/operations/{op['id']}")
    return f"/subscriptions/{op['subscriptionId']}/operationresults/{op['id']}"


def result_path(op: dict) -> str:
    if op["provider"] == CONTAINER_SERVICE:
        return (f"/subscriptions/{op['subscriptionId']}/providers/{CONTAINER_SERVICE}/locations/{op['location']}"
                f"/operationresults/{op['id']}")
    return f"/subscriptions/{op['subscriptionId']}/operationresults/{op['id']}"


def render(op: dict) -> dict[str, Any]:
    """The operation status resource (``GET`` on the ``Azure-AsyncOperation`` URL)."""
    body: dict[str, Any] = {"id": status_path(op), "name": op["id"], "status": op["status"],
                            "startTime": iso(op["start"])}
    if op["status"] in TERMINAL:
        body["endTime"] = iso(op.get("end", op["due"]))
    if op.get("error"):
        body["error"] = op["error"]
    return body
