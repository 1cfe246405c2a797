"""Decks out of the store: to Anki (`.apkg`), to CSV, and back to YAML deck files.

- `gather`    - the decks and cards to export, read from the store (quiz.store.export_reads)
- `render`    - one card as question/answer text or HTML (shared by apkg and csv)
- `apkg`      - an Anki package via genanki: a note per card, stable GUIDs from card keys
- `table`     - CSV with front, back, tags
- `yaml_deck` - a store's deck as a deck file the loader reads back to the same cards
"""
