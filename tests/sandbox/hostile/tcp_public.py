# expect: exception PermissionError,OSError
# why: TCP to a TEST-NET address: must fail before any packet leaves
import socket
s = socket.create_connection(('192.0.2.1', 80), timeout=0.5)
print('connected')
