"""write_atomic: the whole new file or the old one, with the asked mode, and no temp file left behind."""

from __future__ import annotations

import stat

import pytest

from akslocal.atomicfile import write_atomic


def test_replaces_the_file_with_the_mode_asked(tmp_path):
    target = tmp_path / "f.json"
    target.write_text("old")
    write_atomic(target, '{"é": 1}', mode=0o600)
    assert target.read_text(encoding="utf-8") == '{"é": 1}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(target, "public", fsync=False)
    assert target.read_text() == "public" and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temp_file(tmp_path):
    target = tmp_path / "f.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, b"not text")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
