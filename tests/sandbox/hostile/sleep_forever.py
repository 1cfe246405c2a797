# expect: timeout
# why: sleeps without using CPU: RLIMIT_CPU never fires
import time
time.sleep(10**6)
