# expect: exit 7
# expect: stdout before
# why: os._exit skips every cleanup; output written before it is kept
import os
print('before')
os._exit(7)
