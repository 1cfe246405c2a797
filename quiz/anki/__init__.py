"""Anki's notes as quiz cards: the pure half of `quiz import collection.apkg`.

`html` turns field HTML into the Markdown-ish text decks hold; `notes` maps note
types (Basic, reversed, optional reversed, type-in, Cloze, anything else) to quiz
cards. Reading the package (zip, SQLite, zstd) is the edge `quiz.authoring.apkg`.
"""
