# expect: stdout denied
# why: unshare(CLONE_NEWUSER) to gain capabilities
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print('unshared' if libc.unshare(0x10000000) == 0 else 'denied')
