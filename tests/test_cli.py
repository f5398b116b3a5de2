"""The command line entry points (memcompact/cli.py, memcompact/__main__.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import memcompact
from memcompact.cli import COMMAND_MODULES, main


def run(*args):
    return subprocess.run([sys.executable, "-m", "memcompact", *args], capture_output=True, text=True,
                          timeout=120)


def test_help_lists_every_command():
    proc = run("--help")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("usage: memcompact")
    for modname in COMMAND_MODULES:
        name = __import__(modname, fromlist=["NAME"]).NAME
        assert name in proc.stdout


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"memcompact {memcompact.__version__}"


def test_python_m_without_arguments_prints_help():
    proc = run()
    assert proc.returncode == 0
    assert "usage: memcompact" in proc.stdout


def test_every_subcommand_has_help():
    for modname in COMMAND_MODULES:
        name = __import__(modname, fromlist=["NAME"]).NAME
        proc = run(name, "--help")
        assert proc.returncode == 0, (name, proc.stderr)
        assert f"usage: memcompact {name}" in proc.stdout


def test_usage_error_exits_2_with_one_line():
    proc = run("no-such-command")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "invalid choice" in proc.stderr


def test_console_script_installed():
    script = shutil.which("memcompact", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail("console script 'memcompact' not installed next to the test interpreter "
                    f"({Path(sys.executable).parent}); run `make test` or pip install -e .")
    proc = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"memcompact {memcompact.__version__}"


def test_main_in_process(capsys):
    assert main([]) == 0
    assert "usage: memcompact" in capsys.readouterr().out
