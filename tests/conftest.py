"""Shared test fixtures and the ngspice marker policy.

Tests marked ``ngspice`` need ngspice >= 42 with OSDI and openvaf-r, which
``make test`` installs; they run everywhere and fail when the toolchain is
missing. Set ``MEMCOMPACT_SKIP_NGSPICE=1`` to skip them explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"

# Property tests (hypothesis) explore new random examples on every local run,
# which is how they find bugs; in CI (``CI`` set) they draw a fixed sequence so
# a red CI run always means a change broke something. HYPOTHESIS_PROFILE
# overrides either choice.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hypothesis_settings.register_profile("explore", print_blob=True)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "explore"))
except ImportError:  # hypothesis is a dev extra; only the property tests need it
    pass


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MEMCOMPACT_SKIP_NGSPICE") != "1":
        return
    skip = pytest.mark.skip(reason="MEMCOMPACT_SKIP_NGSPICE=1 set explicitly")
    for item in items:
        if "ngspice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def data_dir():
    """Folder of the reference data files (tests/data)."""
    return DATA_DIR


@pytest.fixture
def write_file(tmp_path):
    """Write text (str) or bytes to ``tmp_path/name`` and return the path."""

    def write(name, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
