"""Deck authoring: writing deck files rather than reviewing them.

Modules, one concept each:

- `ids`        - card and deck ids derived from text (ASCII slugs, short hashes for CJK)
- `yaml_text`  - emitting new YAML text that the strict loader reads back exactly
- `skeleton`   - `quiz new deck` / `quiz new card`: example decks and card skeletons
- `insert`     - appending a card to an existing file without touching its other bytes
- `notes`      - Markdown / plain-text notes -> headings, questions, definitions, code
- `draft`      - notes -> a deck for the author to edit (`quiz draft`)
- `fmt`        - normalising a deck file's layout without changing its meaning
- `csv_import` - Anki text exports / CSV / TSV -> a YAML deck file

Nothing here imports the store, the terminal or the sandbox: snippets are run through a
callable handed in by the CLI.
"""
