# expect: exception MemoryError
# why: one huge allocation
x = bytearray(8 * 1024 ** 3)
