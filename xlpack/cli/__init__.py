"""Skin: the ``xlpack`` command line, a thin layer over the library.

``app`` holds the commands (one module each, registered in :mod:`.app`);
:mod:`.console` has what they share. Start-up stays fast: a command imports
the stages it runs only when it runs.
"""

from xlpack.cli.app import app, main

__all__ = ["app", "main"]
