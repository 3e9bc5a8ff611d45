"""Giving memory a step has finished with back to the system, so that the next step does not start higher.

After a step that builds large temporary arrays (finding the themes of a
large audit), the C library may keep the freed memory for itself rather
than return it: the process then looks, and to the system is, that much
larger for the rest of the run. :func:`give_back_freed_memory` asks the C
library to return what it holds free (``malloc_trim`` on Linux's glibc);
elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.lru_cache(maxsize=1)
def _trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim): nothing to ask
        return None


def give_back_freed_memory() -> bool:
    """Return the memory the C library holds free to the system; whether it could be asked."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
