"""Skin: the demo. The whole journey on the bundled, fictional sample audit.

:mod:`.sample` makes the sample coordinator workbook, :mod:`.simulate`
fills issued forms the way auditors would (invented, seeded answers), and
:mod:`.run` goes through every step, saying what each made.
"""

from xlpack.demo.run import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
