# expect: exception PermissionError,FileNotFoundError,OSError
# why: a symlink in the working dir pointing at the home
import os
os.symlink('__HOME__', 'h')
print(open('h/.ssh/id_rsa').read())
