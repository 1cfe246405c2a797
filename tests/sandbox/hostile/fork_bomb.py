# expect: fails
# why: every process forks forever: RLIMIT_NPROC (or the pid namespace) bounds it
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
