# expect: ends
# why: SIGKILLs the quiz process by pid
import os, signal
try:
    os.kill(__QUIZPID__, signal.SIGKILL)
    print('sent')
except OSError as e:
    print('denied', type(e).__name__)
