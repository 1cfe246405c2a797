# expect: exception PermissionError,FileNotFoundError,OSError
# why: plants a file in the real home
open('__HOME__/pwned', 'w').write('pwned')
