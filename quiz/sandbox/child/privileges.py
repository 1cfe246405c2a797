"""Child side: give up root before any snippet code runs.

Root ignores RLIMIT_NPROC and every file permission, so a snippet that runs as root
could fork-bomb the machine or read the store and root's home. The child therefore
drops to an unprivileged uid/gid (65534, `nobody`, by default) with no
supplementary groups, and checks that the drop cannot be undone.

Self-contained (stdlib only, no `quiz` imports).
"""

from __future__ import annotations

import os


def drop(uid: int, gid: int) -> None:
    """setgroups([]), setgid, setuid — in that order (after setuid the others fail)."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
        raise OSError("privilege drop did not take effect")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise OSError("privilege drop is reversible: setuid(0) succeeded")
