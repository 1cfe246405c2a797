# expect: exception PermissionError,OSError
# why: UDP to loopback
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'x', ('127.0.0.1', 9))
print('sent')
