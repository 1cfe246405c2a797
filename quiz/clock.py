"""The one place that reads the wall clock, so every command can be moved through days.

`QUIZ_NOW` (ISO-8601; a naive value is taken as UTC) overrides the clock for a whole
process: tests and simulations drive sessions across days with it.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone


def parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        from quiz.errors import (
            UsageError,
        )  # here, not at the top: `quiz due`'s fast path skips dataclasses

        raise UsageError(f"QUIZ_NOW: not an ISO-8601 date/time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def now_utc() -> datetime:
    override = os.environ.get("QUIZ_NOW")
    if override:
        return parse_instant(override)
    return datetime.now(timezone.utc)
