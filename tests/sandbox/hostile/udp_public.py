# expect: exception PermissionError,OSError
# why: UDP to 1.1.1.1: must fail before any packet leaves
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'x', ('1.1.1.1', 53))
print('sent')
