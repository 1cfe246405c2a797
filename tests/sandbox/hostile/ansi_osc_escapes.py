# expect: ends
# why: terminal escapes: clear screen, window title, hyperlink, bidi override
print('\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b]8;;http://example.invalid\x1b\\click\x1b]8;;\x1b\\ \u202eevil')
