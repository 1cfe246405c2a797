# expect: ends
# why: a setsid + double-fork daemon that writes later
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(0.3)
        for path in ('__HOME__/daemon-was-here', 'daemon-was-here'):
            try:
                open(path, 'w').write('x')
            except OSError:
                pass
        time.sleep(10**6)
    os._exit(0)
print('parent exits')
