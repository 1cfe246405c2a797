# expect: exception PermissionError,OSError
# why: opens a listening port
import socket
s = socket.socket()
s.bind(('0.0.0.0', 8765))
s.listen()
print('listening')
