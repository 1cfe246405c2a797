# expect: ends
# why: kills the quiz process's group
import os, signal
try:
    os.killpg(os.getpgid(__QUIZPID__), signal.SIGKILL)
except OSError as e:
    print('denied', type(e).__name__)
