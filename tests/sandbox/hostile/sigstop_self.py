# expect: timeout
# why: stops itself; a stopped process must still be killed
import os, signal
print('stopping', flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
print('never')
