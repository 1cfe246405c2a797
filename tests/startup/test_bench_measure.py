"""The benchmarks' launcher (tests/bench/measure.py) reports each command's own peak
memory: a command that printed megabytes must not raise the figure of the next one (the
launcher held that output, and Linux counted the launcher's peak in every later child's),
and a child that fills its stderr pipe while stdout is being read must not hang it."""

from __future__ import annotations

import os
import sys

from tests.bench.measure import Launcher

LOUD = "import sys; sys.stdout.write('x' * 60_000_000); sys.stderr.write('e' * 3_000_000)"


def test_a_loud_command_does_not_raise_the_next_ones_peak():
    launcher = Launcher()
    try:
        env = dict(os.environ)
        quiet = launcher.run([sys.executable, "-c", "pass"], env)
        loud = launcher.run([sys.executable, "-c", LOUD], env)
        after = launcher.run([sys.executable, "-c", "pass"], env)
    finally:
        launcher.close()
    assert loud.exit_code == 0 and loud.peak_mb > 60
    assert after.peak_mb < quiet.peak_mb + 20
