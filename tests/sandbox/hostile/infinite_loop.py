# expect: timeout
# why: a busy loop: the wall clock must end it
while True:
    pass
