# expect: stdout ''
# why: reads stdin: /dev/null, so it ends at once
import sys
print(repr(sys.stdin.read()))
