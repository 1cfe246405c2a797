# expect: fails
# why: starts threads that never end until it cannot
import threading, time
while True:
    threading.Thread(target=time.sleep, args=(10**6,)).start()
