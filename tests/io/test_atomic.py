"""Atomic writes (memcompact/io/atomic.py): a failed run leaves no file behind."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from memcompact.io import atomic_path, atomic_savefig, atomic_write_bytes, atomic_write_text  # noqa: E402


class Boom(RuntimeError):
    pass


def test_failure_leaves_no_target_and_no_temp(tmp_path):
    target = tmp_path / "out" / "result.csv"
    seen = {}
    with pytest.raises(Boom):
        with atomic_path(target) as tmp:
            seen["tmp"] = tmp
            assert tmp.parent == target.parent and tmp.suffix == ".csv"
            tmp.write_text("half a file")
            raise Boom()
    assert not target.exists()
    assert not seen["tmp"].exists()
    assert list(target.parent.iterdir()) == []


def test_failure_keeps_previous_target_intact(tmp_path):
    target = tmp_path / "card.json"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_text("new but unfinished")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_failure_before_writing_anything(tmp_path):
    with pytest.raises(Boom):
        with atomic_path(tmp_path / "x.txt"):
            raise Boom()
    assert list(tmp_path.iterdir()) == []


def test_success_replaces_and_cleans_up(tmp_path):
    target = tmp_path / "a" / "b" / "t.txt"
    atomic_write_text(target, "first\n")
    atomic_write_text(target, "second\n")
    assert target.read_text() == "second\n"
    atomic_write_bytes(tmp_path / "bin.dat", b"\x00\x01\xff")
    assert (tmp_path / "bin.dat").read_bytes() == b"\x00\x01\xff"
    assert sorted(p.name for p in target.parent.iterdir()) == ["t.txt"]


def test_atomic_savefig_writes_png(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    target = tmp_path / "fig.png"
    atomic_savefig(fig, target)
    plt.close(fig)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_written_file_has_the_usual_mode_not_mkstemps_0600(tmp_path):
    import os
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
