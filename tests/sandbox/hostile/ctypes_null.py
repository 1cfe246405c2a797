# expect: signal 11,7
# why: dereferences NULL through ctypes
import ctypes
ctypes.string_at(0)
