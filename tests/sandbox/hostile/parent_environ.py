# expect: ends
# why: reads its parent's environment through /proc
import os
try:
    print(open(f'/proc/{os.getppid()}/environ').read())
except OSError as e:
    print('denied', type(e).__name__)
