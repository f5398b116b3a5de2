"""libngspice lookup (memcompact/spice/library.py)."""

from __future__ import annotations

import pytest

from memcompact.errors import ToolchainError
from memcompact.spice import find_libngspice
from memcompact.spice import library


def test_env_override_is_used_verbatim(monkeypatch, tmp_path):
    fake = tmp_path / "libngspice.so"
    fake.write_bytes(b"")
    monkeypatch.setenv(library.ENV_VAR, str(fake))
    assert find_libngspice() == str(fake)


def test_env_override_to_missing_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(library.ENV_VAR, str(tmp_path / "nope.so"))
    with pytest.raises(ToolchainError, match="MEMCOMPACT_NGSPICE_LIB=.*nope.so: no such file"):
        find_libngspice()


def test_not_found_explains_how_to_install(monkeypatch):
    monkeypatch.delenv(library.ENV_VAR, raising=False)
    monkeypatch.delenv("NGSPICE_LIBRARY_PATH", raising=False)
    monkeypatch.setattr(library.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(library, "_COMMON", ())
    with pytest.raises(ToolchainError, match="libngspice.*not found.*libngspice0-dev"):
        find_libngspice()


@pytest.mark.ngspice
def test_found_on_this_machine(monkeypatch):
    monkeypatch.delenv(library.ENV_VAR, raising=False)
    assert "libngspice" in find_libngspice()
