"""Paths that are not returns among the returns: a link into /proc, a pipe, files and folders that may not be read.

Each is a problem of its own, naming the path; the other files are read and
no traceback is printed. The commands run in a process of their own, as a
user without the right to read everything (as root: without the
capabilities that let root read any file and look into other processes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.filling import fill_form
from tests.support.intake_support import *
from tests.support.intake_support import T0, fresh_copy
from xlpack.coordinator.plan_sheets import read_plan

ROOT = Path(__file__).resolve().parents[2]
DROPPED = "dac_override,dac_read_search,sys_ptrace"


def _unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: no file can be made unreadable")
    drop = ",".join(f"-{c}" for c in DROPPED.split(","))
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}"]


def _xlpack(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run([*_unprivileged(), sys.executable, "-m", "xlpack", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=300, check=False)


def _hostile_folder(folder: Path, form: Path) -> dict[str, str]:
    """Returns beside what is not: (name -> the problem code expected)."""
    folder.mkdir(parents=True)
    fresh_copy(form, folder, "good.xlsx")
    os.symlink("/proc/1", folder / "proc")  # walking it meets links no one may read (/proc/1/cwd)
    os.symlink("/proc/self/environ", folder / "environ.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    denied = fresh_copy(form, folder, "denied.xlsx")
    denied.chmod(0)
    locked = folder / "locked"
    fresh_copy(form, locked, "inside.xlsx")
    locked.chmod(0)
    return {"proc": "not-a-file", "environ.xlsx": "not-a-file", "pipe.xlsx": "not-a-file",
            "denied.xlsx": "unreadable", "locked": "unreadable", "good.xlsx": ""}


def _check(files: list[dict], folder: Path, expected: dict[str, str]) -> None:
    got = {Path(f["path"]).name: (f["status"], [p["code"] for p in f["problems"]]) for f in files}
    assert got == {name: ("rejected", [code]) if code else ("accepted", []) for name, code in expected.items()}
    for f in files:
        assert f["path"].startswith(str(folder))
    messages = {Path(f["path"]).name: f["problems"][0]["message"] for f in files if f["problems"]}
    assert "/proc" in messages["proc"] and "/proc" in messages["environ.xlsx"]
    assert "Permission denied" in messages["denied.xlsx"] and "Permission denied" in messages["locked"]


def test_intake_names_each_path_and_reads_the_rest(sample_forms: tuple[Path, Path], filled_cp: Path,
                                                   tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    expected = _hostile_folder(folder, filled_cp)
    try:
        done = _xlpack("intake", folder, "--audit", sample_forms[0], "--json")
    finally:
        for p in (folder / "denied.xlsx", folder / "locked"):
            p.chmod(0o700)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stderr
    _check(json.loads(done.stdout)["files"], folder, expected)


def test_consolidate_goes_on_past_them(sample_copy: tuple[Path, Path], tmp_path: Path) -> None:
    audit, forms = sample_copy
    plan = read_plan(audit)
    form = fill_form(forms / plan.issued[0].file, tmp_path / plan.issued[0].file, saved_at=T0)
    folder = tmp_path / "returns"
    expected = _hostile_folder(folder, form)
    try:
        done = _xlpack("consolidate", audit, folder, "--json")
    finally:
        for p in (folder / "denied.xlsx", folder / "locked"):
            p.chmod(0o700)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stderr
    doc = json.loads(done.stdout)
    _check(doc["files"], folder, expected)
    assert doc["totals"]["forms_accepted"] == 1
