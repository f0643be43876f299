"""Debian's Chromium for the sign-in page tests, with the flags this offline machine needs.

Without the background-networking flags Chromium keeps trying Google's hosts, which this
machine refuses; as root it needs --no-sandbox.
"""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

needs_chromium = pytest.mark.skipif(not shutil.which(CHROMIUM),
                                    reason="Debian chromium is not installed (make test installs it)")


def launch(playwright):  # -> playwright Browser
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
