# expect: fails
# why: recursion limit lifted: the C stack overflows (SIGSEGV)
import sys
sys.setrecursionlimit(10**8)
def f(n):
    return f(n + 1)
f(0)
