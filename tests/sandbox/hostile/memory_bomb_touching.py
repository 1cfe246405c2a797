# expect: fails
# why: fills every page it gets (RSS, not only address space); under load it may time out before MemoryError
chunks = []
while True:
    chunks.append(b"m" * (64 * 1024 * 1024))
