# expect: stdout denied 3
# why: writes outside its working dir
n = 0
for path in ('/tmp/../etc/quiz-pwned', '/var/tmp/quiz-pwned', '__HOME__/../quiz-pwned'):
    try:
        open(path, 'w').write('x')
    except OSError:
        n += 1
print('denied', n)
