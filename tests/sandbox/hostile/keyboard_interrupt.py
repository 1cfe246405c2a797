# expect: exception KeyboardInterrupt
# why: raises KeyboardInterrupt
raise KeyboardInterrupt
