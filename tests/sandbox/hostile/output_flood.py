# expect: truncated
# why: 100 MB on stdout: kept to 64 KB, drained without blocking
import sys
block = 'x' * (1024 * 1024)
for _ in range(100):
    sys.stdout.write(block)
