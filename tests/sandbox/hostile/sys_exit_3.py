# expect: exit 3
# why: sys.exit(3)
import sys
print('bye')
sys.exit(3)
