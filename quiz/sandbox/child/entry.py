"""Child side: the script the sandbox child interpreter starts with.

Kept to two lines because a script is compiled on every start, while the modules
it imports are loaded from their cached bytecode (the parent makes sure it exists);
see bootstrap.py for what the child does.
"""

import sys

import bootstrap

sys.exit(bootstrap.main(sys.argv))
