# expect: timeout
# expect: truncated
# why: endless stderr
import sys
while True:
    sys.stderr.write('y' * 65536)
