"""One build at a time in a checkout: a second `make book` (or `make outputs`, `make pdf`, `make
test`) started while one runs says so and stops, instead of writing the same stage folder at the
same time, or replacing the book a test is reading.

The lock is filelock's: an operating-system lock on a file in _build/, released when the process
that holds it ends, however it ends (a crash or a kill leaves no stale lock behind). `make test`
holds it while its tests run and lends it to them (LENT): a test may run the command line in the
checkout while the process holding the lock only waits for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = Path("_build") / "build.lock"
HOLDER_FILE = Path("_build") / "build.lock.holder"  # which process holds it, for the message
LENT = "COMPUTE_DEALS_LOCK_LENT_FOR"  # the checkout whose lock this process's parent lends it


class BuildRunning(RuntimeError):
    pass


@contextmanager
def one_build_at_a_time(root: Path, command: str) -> Iterator[None]:
    """Hold the checkout's build lock while the block runs; raise BuildRunning at once if another
    process holds it. Nothing to hold when the lock is lent to this process (lent_to_children)."""
    if os.environ.get(LENT) == str(root.resolve()):
        yield
        return
    lock_path, holder = root / LOCK_FILE, root / HOLDER_FILE
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        running = holder.read_text().strip() if holder.exists() else "another process"
        raise BuildRunning(
            f"a build is already running in this checkout ({running}): wait for it to finish, "
            "or stop it, then run this again") from None
    try:
        holder.write_text(f"{command}, process {os.getpid()}\n")
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()


def lent_to_children(root: Path) -> dict[str, str]:
    """The environment for processes the lock's holder starts and waits for (the tests)."""
    return {**os.environ, LENT: str(root.resolve())}
