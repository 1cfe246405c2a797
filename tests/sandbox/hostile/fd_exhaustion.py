# expect: exception OSError
# why: opens files until it cannot
fds = []
while True:
    fds.append(open('/dev/null'))
