"""get-token: a cached token while it has more than 60 s left, else the refresh token, else a sign-in.

Time is the emulator's (wall time plus ``<AKSLOCAL_DATA_DIR>/clock.json``'s offset), so a
token cached before the control plane moves the clock forward is seen as expired.  The
sign-in path runs under the cache entry's file lock and re-reads the cache inside it: of
several processes that missed together, one signs in and the others reuse its token (and a
refresh token, which the service rotates on every use, is never redeemed twice).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping

from akslocal.kubelogin import errors
from akslocal.kubelogin.cache import Token, TokenCache, cache_file_name
from akslocal.kubelogin.execcredential import ca_verify, clock_offset
from akslocal.kubelogin.options import TokenOptions

LOCK_WAIT = 900.0  # a device-code sign-in in another process may take up to the code's 15 minutes


def cache_for(opts: TokenOptions) -> TokenCache:
    return TokenCache(opts.cache_dir, cache_file_name(opts.environment, opts.server_id, opts.client_id,
                                                      opts.tenant_id, opts.legacy))


def client_for(opts: TokenOptions, now: Callable[[], float], env: Mapping[str, str]):
    verify = ca_verify(env)
    if opts.legacy:
        from akslocal.kubelogin.legacy import LegacyClient

        return LegacyClient(opts, verify, now)
    from akslocal.kubelogin.modern import ModernClient

    return ModernClient(opts, verify, now)


def sign_in(opts: TokenOptions, client) -> Token:
    if opts.login == "devicecode":
        return client.device_code()
    if opts.login == "ropc":
        return client.password()
    if opts.login == "spn":
        return client.client_secret()
    if opts.login == "interactive":
        if opts.legacy:
            raise errors.KubeloginError("--login interactive does not support --legacy")
        return client.interactive()
    if opts.login == "workloadidentity":
        if opts.legacy:
            raise errors.KubeloginError("--login workloadidentity does not support --legacy")
        return client.workload_identity()
    raise errors.KubeloginError(f"'{opts.login}' is not a supported login method")


def get_token(opts: TokenOptions, env: Mapping[str, str] = os.environ) -> tuple[Token, float]:
    """The token and the emulator clock offset it was judged with."""
    offset = clock_offset(env)

    def now() -> float:
        return time.time() + offset

    if opts.login == "azurecli":
        return azure_cli_token(opts, env, offset), offset
    if not opts.cached:
        client = client_for(opts, now, env)
        try:
            return sign_in(opts, client), offset
        finally:
            client.close()
    cache = cache_for(opts)
    token = cache.load()  # without the lock: writes are atomic renames
    if token is not None and token.usable(opts.resource, now()):
        return token, offset
    try:
        lock = cache.lock(max(opts.timeout, LOCK_WAIT))
        lock.acquire()
    except errors.KubeloginError:
        raise
    except Exception as err:  # filelock.Timeout or an unwritable lock file
        raise errors.KubeloginError(f"cannot lock the token cache {cache.path}: {err}") from err
    try:
        token = cache.load()
        if token is not None and token.usable(opts.resource, now()):
            return token, offset
        client = client_for(opts, now, env)
        try:
            fresh = None
            if token is not None and token.refresh_token and token.resource == opts.resource:
                try:
                    fresh = client.refresh(token.refresh_token)
                except errors.RefreshFailed:
                    cache.delete()  # the refresh token is dead: never present it again
            if fresh is None:
                fresh = sign_in(opts, client)
        finally:
            client.close()
        try:
            cache.save(fresh, now())
        except OSError as err:  # the sign-in worked: hand out the token, say why the next run will prompt
            print(f"Warning: cannot write the token cache {cache.path}: {err}", file=sys.stderr, flush=True)
        return fresh, offset
    finally:
        lock.release()


def azure_cli_token(opts: TokenOptions, env: Mapping[str, str], offset: float) -> Token:
    """``--login azurecli``: ask the signed-in az (or ``$AKSLOCAL_AZ_COMMAND``, e.g. azlocal) for a token."""
    import json

    command = [env.get("AKSLOCAL_AZ_COMMAND") or "az", "account", "get-access-token", "--resource",
               opts.resource, "--output", "json"]
    if opts.tenant_id:
        command += ["--tenant", opts.tenant_id]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=opts.timeout, env=dict(env))
    except FileNotFoundError as err:
        raise errors.KubeloginError(f"--login azurecli needs the Azure CLI: {command[0]} is not on PATH") from err
    except subprocess.TimeoutExpired as err:
        raise errors.KubeloginError(f"{command[0]} account get-access-token timed out") from err
    if done.returncode != 0:
        raise errors.KubeloginError(f"{command[0]} account get-access-token failed: {done.stderr.strip()}")
    try:
        doc = json.loads(done.stdout)
        expires_on = float(doc.get("expires_on") or time.time() + 3600)
        return Token(access_token=str(doc["accessToken"]), expires_on=expires_on + offset, resource=opts.resource)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise errors.KubeloginError(f"{command[0]} account get-access-token printed no token: {err}") from err

