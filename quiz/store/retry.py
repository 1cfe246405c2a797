"""Short write transactions that are tried again when the database says "not now".

Several machines and learners share one store. PostgreSQL may abort a transaction
with a serialization failure or a deadlock, SQLite may still be locked after its busy
timeout; both mean "run the same transaction again", not "crash". A write is a
function that does its work on a session; `run_write` commits it, and on such an
error rolls back, waits a little (exponential backoff with jitter, so two clients
that collided do not collide again in step) and calls it again, a bounded number
of times. Sleep and randomness are injected so tests need not wait.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")

# SQLSTATEs that mean "this transaction lost a race; run it again"
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_s: float = 0.02
    cap_s: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return self.rand() * min(self.cap_s, self.base_s * (2**attempt))


DEFAULT_POLICY = RetryPolicy()


def is_transient(exc: BaseException) -> bool:
    """A driver error after which the same transaction may well succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return (
        "database is locked" in text
        or "database table is locked" in text
        or "database is busy" in text
    )


def run_write(
    session: Session,
    work: Callable[[], T],
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    retry_integrity: bool = False,
) -> T:
    """Run `work()` and commit, retrying the whole transaction on transient errors.

    `work` must be repeatable: it runs again from scratch after a rollback.
    `retry_integrity` also retries a unique-key clash (two sessions inserting the
    same row at once), for writes whose second run detects the clash itself.
    """
    attempt = 0
    while True:
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            retry = is_transient(exc) or (retry_integrity and isinstance(exc, IntegrityError))
            attempt += 1
            if not retry or attempt >= policy.attempts:
                raise
            log.debug(
                "write retried (attempt %d of %d): %s", attempt + 1, policy.attempts, exc.orig
            )
            policy.sleep(policy.delay(attempt))
        except BaseException:
            session.rollback()
            raise
