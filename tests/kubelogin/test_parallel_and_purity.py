"""Ten plugins started together sign in once; a cached token is served without loading any heavy module."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from akslocal.kubelogin.cache import Token, TokenCache, cache_file_name
from tests.kubelogin.conftest import CLIENT_ID, SERVER_ID, TENANT_ID, Plugin, credential


def test_ten_parallel_plugins_with_an_empty_cache_prompt_once(plugin: Plugin) -> None:
    plugin.sts.pending_polls, plugin.sts.pending_delay = 10, 0.2  # the sign-in takes ~2 s
    processes = [subprocess.Popen(plugin.args("--legacy"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=plugin.env()) for _ in range(10)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 10, [err for _, err in results]
    prompts = [err for _, err in results if "enter the code" in err]
    assert len(prompts) == 1, [err for _, err in results]
    assert len(plugin.sts.paths("/oauth2/devicecode")) == 1
    assert plugin.sts.issued == 1
    tokens = {credential(out)["status"]["token"] for out, _ in results}
    assert len(tokens) == 1
    files = [p for p in plugin.cache_dir.iterdir() if p.suffix == ".json"]
    assert len(files) == 1 and json.loads(files[0].read_text())["access_token"] in tokens
    assert not list(plugin.cache_dir.glob("*.tmp"))


def test_parallel_refresh_redeems_the_refresh_token_once(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    plugin.advance_clock(7200)
    processes = [subprocess.Popen(plugin.args("--legacy"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=plugin.env()) for _ in range(6)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, [err for _, err in results]
    refreshes = [r for r in plugin.sts.requests if r.form.get("grant_type") == "refresh_token"]
    assert len(refreshes) == 1 and all(err == "" for _, err in results)


FORBIDDEN = ("sqlalchemy", "starlette", "uvicorn", "jinja2", "httpx", "msal", "requests", "cryptography", "yaml",
             "akslocal.server", "akslocal.identity", "akslocal.directory", "akslocal.store.sql", "akslocal.kube",
             "akslocal.arm", "akslocal.graph", "akslocal.webhook", "akslocal.cli", "akslocal.pki")


def test_a_cache_hit_imports_no_server_piece_and_no_http_client(plugin: Plugin) -> None:
    cache = TokenCache(plugin.cache_dir, cache_file_name("AzurePublicCloud", SERVER_ID, CLIENT_ID, TENANT_ID, True))
    cache.save(Token("eyJ.cached.token", time.time() + 3600, SERVER_ID, "rt"), time.time())
    args = plugin.args("--legacy")[1:]
    code = ("import json, sys\nfrom akslocal.kubelogin.main import main\n"
            f"rc = main({args!r})\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\nsys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=plugin.env(), timeout=60)
    assert done.returncode == 0, done.stderr
    assert credential(done.stdout)["status"]["token"] == "eyJ.cached.token"
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    loaded = [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert loaded == []
    assert not plugin.sts.requests


def test_the_plugin_package_never_imports_server_pieces() -> None:
    code = ("import json, sys\nimport akslocal.kubelogin.main, akslocal.kubelogin.gettoken, akslocal.kubelogin.legacy,"
            " akslocal.kubelogin.modern, akslocal.kubelogin.convert, akslocal.kubelogin.cache\n"
            "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout)
    server = ("sqlalchemy", "starlette", "uvicorn", "jinja2", "akslocal.server", "akslocal.identity",
              "akslocal.directory", "akslocal.store.sql", "akslocal.kube", "akslocal.arm", "akslocal.graph",
              "akslocal.webhook", "akslocal.cli")
    assert [m for m in modules if any(m == f or m.startswith(f + ".") for f in server)] == []
