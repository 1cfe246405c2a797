"""The sandbox's child side: the code that runs *inside* the sandbox, before and around
the snippet (ARCHITECTURE.md, "The sandbox").

The child interpreter starts `entry.py` as a script, so this folder is its
`sys.path[0]` and these modules import one another as top-level modules (`import
limits`); the quiz package is not importable in there. Every module here therefore
imports only the standard library (tests/sandbox/test_units.py enforces it). The
parent imports a few of them as `quiz.sandbox.child.*` to probe what the machine
offers (Landlock's ABI, seccomp).
"""
