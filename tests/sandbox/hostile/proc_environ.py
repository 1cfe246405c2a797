# expect: exception PermissionError,FileNotFoundError,ProcessLookupError,OSError
# why: reads the quiz process's environment
print(open('/proc/__QUIZPID__/environ').read())
