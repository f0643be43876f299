"""How one cluster's bearer tokens are checked: tenant, mode, the server app and where Entra lives.

In process the settings come from the cluster's ``ClusterAuth`` (its aadProfile) plus the
edge's URL and CA; standalone they come from flags, ``AKSLOCAL_WEBHOOK_*`` environment
variables or a YAML/JSON file, in that order of precedence.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLIENT_APP_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
MODES = ("legacy", "managed")
DEFAULT_AUTHORITY = "https://127.0.0.1:8443"
# Keys of the standalone configuration (file keys, and env AKSLOCAL_WEBHOOK_<KEY upper>).
FIELDS = ("tenant_id", "mode", "server_app_id", "server_app_secret", "client_app_id", "authority", "graph_url",
          "ca_bundle", "identifier_uris")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class WebhookConfig:
    tenant_id: str
    mode: str  # "legacy" | "managed"
    server_app_id: str
    server_app_secret: str | None = field(default=None, repr=False)
    client_app_id: str | None = None
    authority: str = DEFAULT_AUTHORITY  # Entra's base URL (no trailing slash): metadata and token endpoint
    graph_url: str = DEFAULT_AUTHORITY  # Microsoft Graph's base URL (``/v1.0`` is appended)
    ca_bundle: str | None = None  # CA file for HTTPS to both (None: the system's)
    identifier_uris: tuple[str, ...] = ()  # legacy: the server app's identifier URIs are audiences too
    # Managed clusters in process resolve group overage from the directory itself (the AKS service
    # is first party); standalone, overage needs Graph with a secret.
    directory_groups: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not self.tenant_id:
            raise ConfigError("the tenant id is required (--tenant)")
        if not self.server_app_id:
            raise ConfigError("the server application id is required (--server-app-id)")

    @cached_property  # on the hot path: computed once (a frozen dataclass's __dict__ still takes it)
    def issuer(self) -> str:
        """Guard reads only the v1 metadata, so only v1 tokens pass."""
        return f"https://sts.windows.net/{self.tenant_id}/"

    @property
    def metadata_url(self) -> str:
        return f"{self.authority}/{self.tenant_id}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.authority}/{self.tenant_id}/oauth2/v2.0/token"

    @cached_property
    def audiences(self) -> tuple[str, ...]:
        """Exactly these ``aud`` values pass: legacy tokens carry ``spn:<id>`` (ADAL v1 with
        api-version=1.0), or the bare id / an identifier URI; managed ones the AKS server app id."""
        if self.mode == "managed":
            return (self.server_app_id,)
        return (f"spn:{self.server_app_id}", self.server_app_id, *self.identifier_uris)


def _clean_url(url: str) -> str:
    return url.rstrip("/")


def from_cluster_auth(auth: Any, public_url: str, ca_path: str | Path | None,
                      identifier_uris: tuple[str, ...] = ()) -> WebhookConfig:
    """The configuration of one of our clusters (``akslocal.kube.provision.ClusterAuth``)."""
    if auth.mode not in MODES:
        raise ConfigError(f"the cluster has no Entra integration (mode {auth.mode!r})")
    managed = auth.mode == "managed"
    return WebhookConfig(
        tenant_id=(auth.tenant_id or "").lower(),
        mode=auth.mode,
        server_app_id=(AKS_SERVER_APP_ID if managed else (auth.server_app_id or "")).lower(),
        server_app_secret=None if managed else auth.server_app_secret,
        client_app_id=auth.client_app_id,
        authority=_clean_url(public_url),
        graph_url=_clean_url(public_url),
        ca_bundle=str(ca_path) if ca_path else None,
        identifier_uris=() if managed else tuple(identifier_uris),
        directory_groups=managed,
    )


def load_file(path: str | Path) -> dict[str, Any]:
    """A YAML or JSON file with the keys of :data:`FIELDS`."""
    text = Path(path).read_text()
    try:
        data = json.loads(text)
    except ValueError:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(unknown)}")
    return data


def from_sources(flags: dict[str, Any], env: dict[str, str] | None = None,
                 file: str | Path | None = None, *, require_secret: bool = True) -> WebhookConfig:
    """Standalone configuration: flags over ``AKSLOCAL_WEBHOOK_*`` (and ``AZURE_CLIENT_SECRET``,
    as guard reads it) over the file."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = load_file(file) if file else {}
    for name in FIELDS:
        value = env.get(f"AKSLOCAL_WEBHOOK_{name.upper()}")
        if value:
            values[name] = value.split(",") if name == "identifier_uris" else value
    if not values.get("server_app_secret") and env.get("AZURE_CLIENT_SECRET"):
        values["server_app_secret"] = env["AZURE_CLIENT_SECRET"]
    for name, value in flags.items():
        if value not in (None, "", [], ()):
            values[name] = value
    mode = str(values.get("mode") or "legacy")
    server_app_id = str(values.get("server_app_id") or (AKS_SERVER_APP_ID if mode == "managed" else ""))
    if require_secret and mode == "legacy" and not values.get("server_app_secret"):
        raise ConfigError("legacy mode needs the server application's secret (--client-secret or "
                          "AZURE_CLIENT_SECRET): guard reads group overage from Graph with it")
    authority = _clean_url(str(values.get("authority") or DEFAULT_AUTHORITY))
    return WebhookConfig(
        tenant_id=str(values.get("tenant_id") or "").lower(),
        mode=mode,
        server_app_id=server_app_id.lower(),
        server_app_secret=values.get("server_app_secret") or None,
        client_app_id=values.get("client_app_id") or None,
        authority=authority,
        graph_url=_clean_url(str(values.get("graph_url") or authority)),
        ca_bundle=str(values["ca_bundle"]) if values.get("ca_bundle") else None,
        identifier_uris=tuple(values.get("identifier_uris") or ()),
    )


def with_identifier_uris(config: WebhookConfig, uris: tuple[str, ...]) -> WebhookConfig:
    return replace(config, identifier_uris=tuple(uris))
