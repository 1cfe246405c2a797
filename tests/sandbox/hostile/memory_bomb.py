# expect: exception MemoryError
# why: reserves memory without end: RLIMIT_AS turns it into MemoryError
chunks = []
while True:
    chunks.append(bytes(200 * 1024 * 1024))
