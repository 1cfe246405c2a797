# expect: exception PermissionError,FileNotFoundError,OSError
# why: deletes the real home
import shutil
shutil.rmtree('__HOME__')
