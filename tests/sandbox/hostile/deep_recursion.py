# expect: exception RecursionError
# why: unbounded Python recursion
def f(n):
    return f(n + 1)
f(0)
