# expect: exception PermissionError,FileNotFoundError
# why: reads the quiz store
print(open('__STORE__', 'rb').read())
