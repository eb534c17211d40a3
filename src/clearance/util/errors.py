"""The one base of Clearance's errors: bad input a user can fix, with a message that says
what is wrong and where. Front ends catch `ClearanceError` once (the CLI prints its message
and exits 2; the server answers 4xx) instead of listing every subclass; anything else is a
bug and may show a traceback."""

from __future__ import annotations


class ClearanceError(Exception):
    """Bad input: a file, id, policy or snapshot Clearance cannot use. `str()` is the message."""
