# expect: fails
# why: 300 files of 1 MB: the total cap (tmpfs size or the watcher) stops it
import os
block = b'z' * (1024 * 1024)
for i in range(300):
    with open(f'f{i}', 'wb') as fh:
        fh.write(block)
print('wrote all')
