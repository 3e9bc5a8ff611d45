"""Skin: the ``xlpack`` command line, a thin layer over the library.

:mod:`.app` holds the typer app with every command registered in one place
(one module a command); :mod:`.console` has what they share. Start-up
stays fast: a command imports the stages it runs only when it runs.
"""
