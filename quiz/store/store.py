"""Opening a store and running one unit of work against it.

A `Store` owns the engine; `Store.unit()` yields a `Repo` bound to one ORM session
and one learner, commits when the block ends and rolls back when it raises, so a
command is one transaction unless it commits more often on purpose (the review
session commits every answer, in a short transaction of its own that is retried
when a shared server reports a lost race).

Every learner of a store sees the same decks; progress is per learner. The learner
row is created the first time a name is used.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from quiz.errors import StoreError
from quiz.store.engine import (
    describe_error,
    locate_store,
    make_engine,
    resolve_url,
    translate_errors,
)
from quiz.store.location import default_learner, learner_name

__all__ = ["Store", "default_learner", "open_store", "resolve_url"]
from quiz.store.migrate import ensure_schema
from quiz.store.models import Learner

if TYPE_CHECKING:
    from quiz.store.repo import Repo

log = logging.getLogger("quiz.store.store")

NO_LEARNER = 0  # row ids start at 1: the id of a learner a read-only store does not know


class Store:
    def __init__(self, db: str | None = None, *, create: bool = True) -> None:
        location = locate_store(db, create=create)
        self.url = location.url
        self.read_only = location.read_only
        self.engine = make_engine(self.url, create=create, read_only=self.read_only)
        with translate_errors(self.url):
            ensure_schema(self.engine, read_only=self.read_only, where=str(location.path or ""))

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql' (for messages and the store copy)."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def unit(self, learner: str | None = None) -> Iterator[Repo]:
        from quiz.store.repo import Repo

        session = Session(self.engine, expire_on_commit=False)
        try:
            with translate_errors(self.url):
                repo = Repo(session, self._learner_id(session, learner_name(learner)))
                yield repo
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for queries across learners (the class view); it writes nothing
        and enrols nobody."""
        session = Session(self.engine)
        try:
            with translate_errors(self.url):
                yield session
        finally:
            session.rollback()
            session.close()

    def _learner_id(self, session: Session, name: str) -> int:
        found = session.scalar(select(Learner.id).where(Learner.name == name))
        if found is not None:
            return found
        if self.read_only:  # nobody to enrol: a learner with no progress sees every card new
            log.info("read-only store: learner %r has no progress in it", name)
            return NO_LEARNER
        learner = Learner(name=name, created_at=datetime.now(timezone.utc))
        session.add(learner)
        try:
            session.flush()
        except IntegrityError:  # another process created it meanwhile
            session.rollback()
            return session.scalar(select(Learner.id).where(Learner.name == name))  # type: ignore[return-value]  # the learner exists now: its id is never None
        session.commit()
        return learner.id


def open_store(db: str | None = None, *, create: bool = True) -> Store:
    try:
        return Store(db, create=create)
    except DBAPIError as exc:
        raise StoreError(describe_error(exc, resolve_url(db))) from exc
