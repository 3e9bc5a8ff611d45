"""Memory a step has freed goes back to the system when asked (glibc keeps it otherwise)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
from xlpack.files.memory import give_back_freed_memory
def rss():
    return next(int(line.split()[1]) // 1024 for line in open('/proc/self/status') if line.startswith('VmRSS'))
blocks = [bytes(1000) for _ in range(100_000)]  # 100 MB in blocks malloc serves from its heap
last = blocks[-1]  # held: the heap cannot simply shrink from its top
grown = rss()
del blocks
kept = rss()
asked = give_back_freed_memory()
print(grown, kept, rss(), asked)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the C library keeps freed memory on Linux only")
def test_freed_memory_goes_back_to_the_system_when_asked() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.split()
    grown, kept, after, asked = int(out[0]), int(out[1]), int(out[2]), out[3]
    assert asked == "True"
    assert kept > grown - 20, "freeing alone gave it back: nothing here to test"
    assert after < kept - 80, (grown, kept, after)
