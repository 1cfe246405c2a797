# expect: exception OSError
# why: a single 100 MB file: RLIMIT_FSIZE (EFBIG) or the disk cap
with open('big', 'wb') as fh:
    for _ in range(100):
        fh.write(b'q' * (1024 * 1024))
