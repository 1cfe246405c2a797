"""`python -m quiz`: the same entry point as the `quiz` console script."""

from quiz.cli import main

main()
