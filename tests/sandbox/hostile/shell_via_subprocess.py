# expect: ends
# why: starts a shell that tries the secrets
import subprocess
subprocess.run(['/bin/sh', '-c', 'id; cat __SECRET__; ls __HOME__; echo done'])
