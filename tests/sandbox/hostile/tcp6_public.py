# expect: exception PermissionError,OSError
# why: IPv6 TCP to a documentation address
import socket
s = socket.create_connection(('2001:db8::1', 80), timeout=0.5)
print('connected')
