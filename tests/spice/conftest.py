"""Fixtures for the SPICE toolchain tests."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def resistor_osdi(tmp_path_factory):
    """tests/data/va_resistor.va compiled once per session with openvaf-r."""
    from pathlib import Path

    from memcompact.spice import compile_va

    src = Path(__file__).parent.parent / "data" / "va_resistor.va"
    folder = tmp_path_factory.mktemp("osdi")
    va = folder / "va_resistor.va"
    shutil.copyfile(src, va)
    return compile_va(va)
