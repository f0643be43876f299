"""A broken or hostile token service must not hang the plugin, corrupt its cache or paint the terminal."""

from __future__ import annotations

import json
import time

import pytest

from tests.kubelogin.conftest import Plugin, credential


@pytest.mark.parametrize("legacy", [["--legacy"], []], ids=["v1", "v2"])
def test_absurd_lifetimes_are_capped_at_a_day(plugin: Plugin, legacy: list[str]) -> None:
    plugin.sts.expires_in = 10**15
    done = plugin.run(*legacy)
    assert done.returncode == 0, done.stderr
    [path] = plugin.cache_dir.glob("*.json")
    assert float(json.loads(path.read_text())["expires_on"]) <= time.time() + 86400 + 5
    stamp = credential(done.stdout)["status"]["expirationTimestamp"]
    assert time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").tm_year <= time.gmtime().tm_year + 1


def test_negative_lifetime_is_not_reused(plugin: Plugin) -> None:
    plugin.sts.expires_in = -50
    assert plugin.run("--legacy").returncode == 0
    sent = len(plugin.sts.requests)
    assert plugin.run("--legacy").returncode == 0
    assert plugin.sts.requests[sent].form["grant_type"] == "refresh_token"


@pytest.mark.parametrize("legacy", [["--legacy"], []], ids=["v1", "v2"])
def test_terminal_escapes_in_the_prompt_are_dropped(plugin: Plugin, legacy: list[str]) -> None:
    plugin.sts.message_suffix = " \x1b]0;owned\x07\x1b[2J"
    done = plugin.run(*legacy)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "to authenticate. ]0;owned[2J" in done.stderr


def test_a_non_json_answer_is_reported(plugin: Plugin) -> None:
    plugin.sts.broken = True
    done = plugin.run("--legacy")
    assert done.returncode == 1 and done.stdout == ""
    assert "answered HTTP 502 without a JSON body" in done.stderr


def test_a_non_json_answer_through_msal_is_not_a_traceback(plugin: Plugin) -> None:
    plugin.sts.broken = True
    done = plugin.run()
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("Error: ") and "Traceback" not in done.stderr


def test_unwritable_cache_still_hands_out_the_token(plugin: Plugin) -> None:
    from tests.kubelogin.test_get_token import LEGACY_CACHE

    (plugin.cache_dir / LEGACY_CACHE).mkdir(parents=True)  # a directory where the file goes: rename fails
    done = plugin.run("--legacy")
    assert done.returncode == 0, done.stderr
    assert credential(done.stdout)["status"]["token"]
    assert "Warning: cannot write the token cache" in done.stderr
