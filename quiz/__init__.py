"""quiz: flashcards and predict-the-output drills for Python learners."""

__version__ = "0.1.0"
