"""A part's real size is bounded while it is read: the sizes a zip declares are never trusted.

The hostile file: a form whose answers' sheet declares 9 KB in both zip
headers but inflates to 512 MB (a file of about half a megabyte). It must be
rejected, saying so, with the peak memory of the reading process close to
that of reading a genuine form (measured in fresh processes, so each peak
is its own).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.intake_crafted import understated_bomb
from tests.support.intake_support import *
from tests.support.intake_support import codes
from tests.support.mutate import declare_size, sheet_part
from xlpack.intake import intake
from xlpack.model.plan import AuditPlan

ROOT = Path(__file__).resolve().parents[2]
BOMB_MIB = 512
MEASURE = """
import json, sys
from pathlib import Path
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.intake import intake
plan = read_plan(Path(sys.argv[1]))
result = intake([Path(sys.argv[2])], plan, workers=1)
# VmHWM, not ru_maxrss: ru_maxrss carries the parent's high-water mark across fork and exec (a large pytest
# process would hide the reading); VmHWM belongs to this process's own memory map.
status = Path("/proc/self/status").read_text()
peak = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM:"))) * 1024  # kB
print(json.dumps({"peak": peak, "files": [[f.status, [p.code for p in f.problems], [p.message for p in f.problems]]
                                          for f in result.files]}))
"""


def _measure(audit: Path, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(audit), str(path)], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_part_declaring_9_kb_that_inflates_to_512_mb(sample_forms: tuple[Path, Path], filled_cp: Path,
                                                       tmp_path: Path) -> None:
    part = sheet_part(filled_cp.read_bytes(), "Audit")
    bomb = tmp_path / filled_cp.name
    bomb.write_bytes(understated_bomb(filled_cp, part, mib=BOMB_MIB))
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo(part)
        assert info.file_size == 9 * 1024 and info.compress_size > 300 * 1024  # what its headers say
    assert bomb.stat().st_size < 1024 * 1024

    genuine = _measure(sample_forms[0], filled_cp)
    hostile = _measure(sample_forms[0], bomb)
    assert genuine["files"][0][0] == "accepted"
    status, found, messages = hostile["files"][0]
    assert (status, found) == ("rejected", ["size-understated"])
    assert messages[0].startswith(f"'{part}' holds more than the 9 KB its zip entry declares")
    mib = 1024 * 1024
    print(f"peak memory: genuine form {genuine['peak'] / mib:.0f} MB, "
          f"{BOMB_MIB} MB bomb {hostile['peak'] / mib:.0f} MB")
    assert hostile["peak"] < 300 * mib
    assert hostile["peak"] < genuine["peak"] + 32 * mib  # reading it cost about what reading a form costs


def test_a_zip_member_holding_more_than_it_declares(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    """A returns .zip whose member's headers understate it: refused after one chunk, the other member still read."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.xlsx", b"\0" * (8 * 1024 * 1024))
        zf.write(filled_cp, "form.xlsx")
    (tmp_path / "returns.zip").write_bytes(declare_size(packed.getvalue(), "big.xlsx", 4096))
    result = intake([tmp_path / "returns.zip"], audit_plan)
    got = {f.path.rsplit("/", 1)[-1]: (f.status, codes(f)) for f in result.files}
    assert got["big.xlsx"] == ("rejected", ["size-understated"])
    assert got["form.xlsx"] == ("accepted", [])
    big = next(f for f in result.files if f.path.endswith("big.xlsx"))
    assert big.problems[0].message.startswith("'big.xlsx' holds more than the 4 KB its zip entry declares")


def test_a_part_holding_less_than_it_declares_is_damaged(filled_cp: Path, audit_plan: AuditPlan,
                                                         tmp_path: Path) -> None:
    data = filled_cp.read_bytes()
    part = sheet_part(data, "Audit")
    with zipfile.ZipFile(filled_cp) as zf:
        size = zf.getinfo(part).file_size
    out = tmp_path / "over.xlsx"
    out.write_bytes(declare_size(data, part, size + 10))
    f = intake([out], audit_plan).files[0]
    assert (f.status, codes(f)) == ("rejected", ["damaged"])
    assert f"the part {part} holds" in f.problems[0].message


def test_compression_zipfile_cannot_bound_is_not_unpacked(filled_cp: Path, audit_plan: AuditPlan,
                                                          tmp_path: Path) -> None:
    """bzip2 and LZMA members inflate a whole block at once in Python's zipfile: named, not unpacked."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_BZIP2) as zf:
        zf.write(filled_cp, "form.xlsx")
    (tmp_path / "sent.zip").write_bytes(packed.getvalue())
    repacked = io.BytesIO()
    with zipfile.ZipFile(filled_cp) as src, zipfile.ZipFile(repacked, "w", zipfile.ZIP_LZMA) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    (tmp_path / "lzma.xlsx").write_bytes(repacked.getvalue())
    result = intake([tmp_path], audit_plan)
    got = {f.path.rsplit("/", 1)[-1]: (f.status, codes(f)) for f in result.files}
    assert got["form.xlsx"] == ("rejected", ["zip-method"])
    assert got["lzma.xlsx"] == ("rejected", ["zip-method"])
    messages = [p.message for f in result.files for p in f.problems if p.code == "zip-method"]
    assert any("bzip2" in m for m in messages) and any("LZMA" in m for m in messages)
