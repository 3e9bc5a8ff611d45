"""The password forms are encrypted with (``--encrypt-password``): refused, with the reason, when it cannot work.

An empty password (often an unset shell variable: ``--encrypt-password "$PW"``)
would give forms that open without one; a line break or another control
character cannot be typed in Excel's password box; Excel takes at most 255
characters. :func:`check_encrypt_password` refuses each before anything is
written, and asks for at least :data:`MINIMUM` characters.
"""

from __future__ import annotations

from xlpack.errors import UsageError
from xlpack.wording import counted

MINIMUM = 8  # characters: what most partnerships' password rules ask for at least
MAXIMUM = 255  # characters: the longest password Excel accepts when opening a file


def encrypt_password_problem(password: str) -> str | None:
    """Why ``password`` cannot encrypt the forms, or None when it can."""
    if not password.strip():
        return ("the password is empty (was it given from a shell variable that is not set?), so the forms would "
                "open without one")
    if any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in password):
        return "the password holds a line break, tab or other control character, which cannot be typed when opening"
    if len(password) > MAXIMUM:
        return f"the password is {len(password):,} characters long; Excel opens files with at most {MAXIMUM}"
    if len(password) < MINIMUM:
        return f"the password is {counted(len(password), 'character')} long; use at least {MINIMUM}"
    return None


def check_encrypt_password(password: str | None) -> str:
    """The password to encrypt with ("" when none was given); :class:`UsageError` when it cannot work."""
    if password is None:
        return ""
    problem = encrypt_password_problem(password)
    if problem:
        raise UsageError(f"--encrypt-password: {problem}. Give a password of {MINIMUM} to {MAXIMUM} characters, "
                         "typed on one line, or leave the option out to send the forms unencrypted. Nothing was "
                         "written.")
    return password
