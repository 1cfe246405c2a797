# expect: exception PermissionError,FileNotFoundError
# why: reads the user's private key
print(open('__SECRET__').read())
