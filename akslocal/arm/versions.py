"""Supported Kubernetes versions (``az aks get-versions``): minor versions and their patches."""

from __future__ import annotations

import re
from typing import Any

from akslocal.arm import errors

# minor -> patches, oldest first. The default minor is the newest.
SUPPORTED: dict[str, tuple[str, ...]] = {
    "1.30": ("1.30.11", "1.30.12"),
    "1.31": ("1.31.7", "1.31.8"),
    "1.32": ("1.32.3", "1.32.4"),
}
DEFAULT_MINOR = "1.32"
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


def all_patches() -> list[str]:
    return [p for patches in SUPPORTED.values() for p in patches]


def resolve(requested: object) -> tuple[str, str]:
    """(kubernetesVersion as stored, the patch that runs). ``None`` means the default minor."""
    if requested is None or requested == "":
        return DEFAULT_MINOR, SUPPORTED[DEFAULT_MINOR][-1]
    if not isinstance(requested, str) or not _VERSION.fullmatch(requested.strip()):
        raise errors.invalid_parameter(f"The value of parameter kubernetesVersion is invalid: "
                                       f"'{str(requested)[:40]}'.", "kubernetesVersion")
    version = requested.strip()
    minor = ".".join(version.split(".")[:2])
    if minor in SUPPORTED and (version == minor or version in SUPPORTED[minor]):
        return version, version if version != minor else SUPPORTED[minor][-1]
    raise errors.ArmError(
        400, "K8sVersionNotSupported",
        f"Version {version} is not supported in this region. Please use [az aks get-versions] command to get the "
        f"supported version list in this region. For more information, please check https://aka.ms/supported-version-list",
        "kubernetesVersion")


def upgrades(patch: str) -> list[str]:
    patches = all_patches()
    index = patches.index(patch)
    current_minor = ".".join(patch.split(".")[:2])
    minors = list(SUPPORTED)
    allowed = {current_minor}
    if minors.index(current_minor) + 1 < len(minors):
        allowed.add(minors[minors.index(current_minor) + 1])
    return [p for p in patches[index + 1:] if ".".join(p.split(".")[:2]) in allowed]


def kubernetes_versions() -> dict[str, Any]:
    """``GET …/locations/{loc}/kubernetesVersions``."""
    return {"values": [
        {"version": minor, "isDefault": True if minor == DEFAULT_MINOR else None,
         "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]},
         "patchVersions": {p: {"upgrades": upgrades(p)} for p in patches}}
        for minor, patches in reversed(SUPPORTED.items())
    ]}


def orchestrators(subscription_id: str, location: str) -> dict[str, Any]:
    """``GET …/locations/{loc}/orchestrators`` (the older list behind ``get-versions``)."""
    default_patch = SUPPORTED[DEFAULT_MINOR][-1]
    return {
        "id": f"/subscriptions/{subscription_id}/providers/Microsoft.ContainerService/locations/{location}"
              "/orchestrators",
        "name": "default", "type": "Microsoft.ContainerService/locations/orchestrators",
        "properties": {"orchestrators": [
            {"orchestratorType": "Kubernetes", "orchestratorVersion": p,
             "default": True if p == default_patch else None,
             "isPreview": None,
             "upgrades": [{"orchestratorType": "Kubernetes", "orchestratorVersion": u} for u in upgrades(p)] or None}
            for p in all_patches()
        ]},
    }
