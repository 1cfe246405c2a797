# expect: exception MemoryError
# why: allocates without end: RLIMIT_AS turns it into MemoryError
chunks = []
while True:
    chunks.append(bytearray(200 * 1024 * 1024))
