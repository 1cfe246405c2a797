"""The daily review and drills: one home for what happens between "what is due" and a
stored answer (ARCHITECTURE.md, "Review").

Pure parts: `queue` (today's order and admission rules), `session` (the loop over
injected parts), `answer` (one answer as one value), `goal` (dates → settings and
shares), `drill` (choosing cards and the report). Parts that meet the store:
`settings` (the effective scheduler settings), `plan` (today's queue from the store),
`recorder` (answers written through the store).
"""
