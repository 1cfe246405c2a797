# expect: exception PermissionError,FileNotFoundError
# why: lists the real home directory
import os
print(os.listdir('__HOME__'))
