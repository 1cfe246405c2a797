"""Statistics: `quiz stats` (one learner) and `quiz class report` (every learner).

One home per concept:

- `rows`       the named rows the store hands in (aggregates of the review log, never
               the log itself) — pure;
- `figures`    every figure of `quiz stats` and its one entry point, `build_report` — pure;
- `ranking`    which cards and tags are weakest, over named rows — pure;
- `classroom`  the class report's figures, from per-learner aggregates — pure;
- `shape`      the `--json` shape of both reports — pure;
- `gather`     the one step from a store to a report: picks the queries
               (quiz.store.stats_reads, quiz.store.rollups, quiz.store.classroom),
               hands their rows to the figures. The commands call only this.

Nothing is imported here, so `quiz.stats.figures` loads no SQL.
"""
