# expect: timeout
# expect: stdout main done
# why: a non-daemon thread that never returns keeps the interpreter alive
import threading, time
threading.Thread(target=time.sleep, args=(10**6,)).start()
print('main done')
