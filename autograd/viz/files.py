"""Writing a file so that a failed write never destroys the old one.

The text goes to a temporary file beside the target, is flushed to disk, then renamed over the
target (``os.replace``, atomic on one file system). A full disk or an interruption leaves the
previous file as it was and no temporary file behind. Used by every export of the views and by
``nn.save``.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def open_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``, created with mode 0o666 so the umask applies (``mkstemp``
    would make it 0600)."""
    for _ in range(100):
        candidate = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: could not create a temporary file beside it")


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, or bytes) to a temporary file in the same folder,
    then rename it over ``path``: the old file stays whole if anything fails.

    A new file gets the umask's mode; a replaced file keeps its mode."""
    path = Path(os.fspath(path))
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    handle, temporary = open_temporary(path)
    try:
        with os.fdopen(handle, "wb") as file:
            try:
                os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
            except FileNotFoundError:
                pass  # a new file: the mode os.open gave it
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
