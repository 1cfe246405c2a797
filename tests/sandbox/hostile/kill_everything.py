# expect: ends
# why: kill(-1, SIGKILL): everything it may signal
import os, signal
try:
    os.kill(-1, signal.SIGKILL)
except OSError as e:
    print('denied', type(e).__name__)
