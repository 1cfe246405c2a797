# expect: exception PermissionError,FileNotFoundError,OSError
# why: corrupts the quiz store
open('__STORE__', 'ab').write(b'pwned')
