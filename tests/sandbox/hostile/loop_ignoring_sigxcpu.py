# expect: timeout
# why: ignores SIGXCPU, so only the wall clock / hard CPU limit ends it
import signal
signal.signal(signal.SIGXCPU, signal.SIG_IGN)
while True:
    pass
