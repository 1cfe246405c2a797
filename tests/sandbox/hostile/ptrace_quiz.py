# expect: stdout denied
# why: ptrace-attaches to the quiz process
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.ptrace(16, __QUIZPID__, 0, 0)
print('attached' if rc == 0 else 'denied')
