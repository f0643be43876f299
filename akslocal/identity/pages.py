"""Server-rendered sign-in pages (placeholder until the page flow lands)."""

from __future__ import annotations


def routes(services):
    return []
