"""The statements of one answer (`Repo.record_answer`): the card's latest entry, the new
log entry chained to it, the card's new state under the reps the session saw.

A learner waits for them between two cards. On SQLite they are three statements: the
database is in the process, a statement costs no trip. On PostgreSQL each statement is
a trip to the server and back (more on a class's network than on this machine), so the
same three are sent as one: the latest entry as a common table expression, the insert
and the state's write as data-modifying ones reading it (PostgreSQL runs all three on
one snapshot, as the three statements ran inside one transaction), the row back saying
the new entry's id, whether the state was written and the latest entry's schedule.
Each part is built once, here, for both shapes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    true,
)

from quiz.model import Schedule
from quiz.store.models import CardStateRow, ReviewBefore, ReviewRow
from quiz.store.prepared import Prepared

MANUAL = "manual"  # review-log kind of a schedule set by hand (not an answer)

# a log entry's schedule columns (migration 0012), as selected with its `reviewed_at`
AFTER = (
    ReviewRow.state,
    ReviewRow.step,
    ReviewRow.stability,
    ReviewRow.difficulty,
    ReviewRow.due_lag,
    ReviewRow.last_review_lag,
    ReviewRow.reps,
    ReviewRow.lapses,
)

# what a card's stored `reps` must be for its new state to be written: "any" (not
# checked: the row is made or updated), "none" (no row, or a row with no reps), "reps"
# (exactly `:expect`); otherwise the answer was given elsewhere meanwhile
EXPECTATIONS = ("any", "none", "reps")

# the prefix of the state write's parameters inside the one-trip statement (its
# schedule columns would otherwise share the entry's names)
_STATE = "state_"


def table_of(model: Any) -> Table:
    """A mapped class's table, as a Table (SQLAlchemy types `__table__` more loosely)."""
    return model.metadata.tables[model.__tablename__]


def schedule_columns(s: Schedule) -> dict[str, Any]:
    """The columns of the schedule `s`, as card_states and review_befores name them."""
    return {
        "state": int(s.state),
        "step": s.step,
        "stability": s.stability,
        "difficulty": s.difficulty,
        "due": s.due,
        "last_review": s.last_review,
        "reps": s.reps,
        "lapses": s.lapses,
    }


def last_entry(before: bool) -> Any:
    """This learner's latest review or manual entry of a card (`:learner`, `:card`),
    before the entry `:before` if `before`, with the schedule it left.

    Written as "the row whose id is the greatest such id": the card's few entries are
    found in its chain index and only the one row is read. The kinds are a list of
    binds (`kind IN (?, ?)`): as `kind = ? OR kind = ?`, SQLite took several times as
    long to run the same lookup."""
    kinds = [literal(kind, ReviewRow.kind.type) for kind in ("review", MANUAL)]
    latest = select(func.max(ReviewRow.id)).where(
        ReviewRow.learner_id == bindparam("learner"),
        ReviewRow.card_id == bindparam("card"),
        ReviewRow.kind.in_(kinds),
    )
    if before:
        latest = latest.where(ReviewRow.id < bindparam("before"))
    return select(ReviewRow.id, ReviewRow.reviewed_at, *AFTER).where(  # (by its card too:
        ReviewRow.learner_id == bindparam("learner"),  # on PostgreSQL a pack is found by
        ReviewRow.card_id == bindparam("card"),  # its card, quiz.store.log_packs)
        ReviewRow.id == latest.scalar_subquery(),
    )


def insert_row(model: Any, *, new_id: str = "", link: Any = None) -> Any:
    """An INSERT of one row of every column, by name. `new_id`: the id is the database's,
    "returned" by the statement, or read from the cursor ("lastrowid": SQLite's, which a
    RETURNING clause only makes slower). `link`: the expression of a log entry's
    `prev_id` in place of its parameter."""
    table = table_of(model)
    names = [c.name for c in table.columns if not (new_id and c.name == "id")]
    values: dict[str, Any] = {name: bindparam(name, type_=table.c[name].type) for name in names}
    if link is not None:
        values["prev_id"] = link
    statement = insert(table).values(values)
    return statement.returning(table.c.id) if new_id == "returned" else statement


def answered_state(expect: str, *, prefix: str = "", returning: bool = False) -> Any:
    """A card's state after an answer: its schedule, and (a new leech) suspended, written
    where the card's stored `reps` are as `expect` says (EXPECTATIONS). `prefix` names its
    parameters; `returning`: the written row says so (a row back per row written)."""
    table = table_of(CardStateRow)
    schedule = list(schedule_columns(Schedule()))
    leech = (
        f"suspended = card_states.suspended OR :{prefix}leech,"
        f" leech = card_states.leech OR :{prefix}leech"
    )
    if expect == "reps":
        sql = (
            "UPDATE card_states SET "
            + ", ".join(f"{c} = :{prefix}{c}" for c in schedule)
            + f", {leech} WHERE learner_id = :{prefix}learner AND card_id = :{prefix}card"
            + f" AND reps = :{prefix}expect"
        )
    else:
        keys = ["learner", "card", *schedule]
        columns = ["learner_id", "card_id", *schedule, "suspended", "leech"]
        sql = (
            f"INSERT INTO card_states ({', '.join(columns)})"
            f" VALUES ({', '.join(f':{prefix}{k}' for k in keys)}, :{prefix}leech, :{prefix}leech)"
            " ON CONFLICT (learner_id, card_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in schedule)
            + ", "
            + leech
            + (" WHERE card_states.reps = 0" if expect == "none" else "")
        )
    if returning:
        sql += " RETURNING card_states.reps"
    binds = [bindparam(prefix + c, type_=table.c[c].type) for c in schedule]
    binds += [
        bindparam(prefix + "learner", type_=table.c.learner_id.type),
        bindparam(prefix + "card", type_=table.c.card_id.type),
        bindparam(prefix + "leech", type_=table.c.leech.type),
    ]
    if expect == "reps":
        binds.append(bindparam(prefix + "expect", type_=table.c.reps.type))
    statement = text(sql).bindparams(*binds)
    return statement.columns(reps=Integer) if returning else statement


def one_trip(chained: bool, expect: str | None) -> Any:
    """The answer's three statements as one (PostgreSQL): its row is the new entry's id
    (`entry_id`), how many card states were written (`states`; none asked: 0) and the
    columns of `last_entry(False)` (all null where the card has no entry yet).

    `chained`: the entry is a review, whose `prev_id` is the latest entry's id (0 for
    none, so that two first answers clash too, 0006). `expect`: the state write's
    EXPECTATIONS, or None for an entry that leaves the state alone; its parameters are
    the state write's own, prefixed `state_`."""
    latest = last_entry(False).cte("latest")
    link = func.coalesce(select(latest.c.id).scalar_subquery(), 0) if chained else None
    entry = insert_row(ReviewRow, new_id="returned", link=link).cte("entry")
    written: Any = literal(0)
    if expect is not None:
        state = answered_state(expect, prefix=_STATE, returning=True).cte("written")
        written = select(func.count()).select_from(state).scalar_subquery()
    return select(entry.c.id.label("entry_id"), written.label("states"), *latest.c).select_from(
        entry.outerjoin(latest, true())
    )


def state_params(params: dict[str, Any]) -> dict[str, Any]:
    """The state write's parameters under the names it has inside `one_trip`."""
    return {_STATE + name: value for name, value in params.items()}


# compiled once per dialect (quiz.store.prepared)
LAST_ENTRY = Prepared(partial(last_entry, False))
LAST_ENTRY_BEFORE = Prepared(partial(last_entry, True))
INSERT_ENTRY = {
    "returned": Prepared(partial(insert_row, ReviewRow, new_id="returned")),
    "lastrowid": Prepared(partial(insert_row, ReviewRow, new_id="lastrowid")),
}
INSERT_BEFORE = Prepared(partial(insert_row, ReviewBefore))
ANSWERED_STATE = {e: Prepared(partial(answered_state, e)) for e in EXPECTATIONS}
ONE_TRIP = {
    (chained, expect): Prepared(partial(one_trip, chained, expect))
    for chained in (False, True)
    for expect in (*EXPECTATIONS, None)
}
