# expect: ends
# why: SIGKILLs its parent
import os, signal
try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError as e:
    print('denied', type(e).__name__)
