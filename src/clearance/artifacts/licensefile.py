"""A license file of a remote repository (LICENSE, USE_POLICY.md, NOTICE ...) as a source read
it: its path in the repository, the SHA-256 and size of the bytes read, or why it was not read.

Its own module, not `model`'s: only the Hub source makes these, and a cold `check` of a local
folder should not pay for defining the class."""

from __future__ import annotations

from clearance.util.lean import value


@value
class LicenseFile:
    path: str  # in the repository, as the Hub lists it ("LICENSE", "LICENSES/llama.txt")
    sha256: str | None = None  # of the bytes read; None when the text was not read
    size: int | None = None  # bytes (when known, also for a file too large to read)
    unread: str = ""  # why the text was not read (gated, too large, not in the cache offline); "" when read

    @property
    def read(self) -> bool:
        return self.sha256 is not None
