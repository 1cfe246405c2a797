"""Child side: step-through of a snippet (`quiz run --trace`, `t` after an output card).

Runs inside the sandbox, after every layer is in place, on the snippet's own
interpreter: the trace is data the child sends on its report pipe (one `T` line per
event, a JSON object each), never code the parent runs. It uses `sys.settrace` (and
`threading.settrace` for threads) because that exists on every Python the decks
support; only frames compiled from `<snippet>` get a local tracer, so the standard
library runs at nearly full speed.

Events (`e`): `line` (a line about to run; `v` is filled with the locals it changed,
once the frame's next event shows them), `call`, `return` / `yield` (with `r`, the
value), `exc` (an exception passing through a snippet frame), `out` (text written to
sys.stdout, with the thread `th` and the asyncio task `task` that wrote it). Every
event has `d`, the call depth of its frame in its thread. Values are shown through a
bounded repr whose own output is swallowed (a plain run never calls it). Past
`max_steps` events or `max_bytes` of data the tracer stops recording, leaves the
snippet to run untraced to its end, and says so with a final `cut` event.

Standard library only, and no json or re (their imports cost more than a small
snippet's whole trace).
"""

import sys
from _thread import get_ident

SNIPPET = "<snippet>"
VALUE_CHARS = 80
OUT_CHARS = 2000
_ESC = {i: f"\\u{i:04x}" for i in range(32)}
_ESC.update({ord('"'): '\\"', ord("\\"): "\\\\", 10: "\\n", 9: "\\t"})
_ESC.update({0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"})  # str.splitlines breaks there
_SCALARS = (int, float, complex, bool, type(None), str, bytes)
_FUNCTION = type(lambda: 0)
# a type comment, not an annotation: this file runs on the snippet's own (maybe old) Python
_SHAPES = {list: "[...]", tuple: "(...)", set: "{...}", frozenset: "frozenset(...)", dict: "{...}"}  # type: dict[type, str]
_STABLE = frozenset((*_SCALARS, _FUNCTION, type))  # same object, same text


def jstr(text):
    if text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'  # most names and values: nothing to escape
    return '"' + text.translate(_ESC) + '"'


def encode(event):
    parts = []
    for key, value in event.items():
        if isinstance(value, dict):
            inner = ",".join(jstr(k) + ":" + jstr(v) for k, v in value.items())
            body = "{" + inner + "}"
        elif isinstance(value, int):
            body = str(value)
        else:
            body = jstr(value)
        parts.append(jstr(key) + ":" + body)
    return "{" + ",".join(parts) + "}"


class Tracer:
    def __init__(self, max_steps, max_bytes):
        self.max_steps = max_steps
        self.max_bytes = max_bytes
        self.events = []
        self.size = 0
        self.cut = False
        self.quiet = 0  # > 0 while a repr runs: its writes are not the snippet's output
        self.frames = {}  # id(frame) -> [depth, index of its last line event, snapshot]
        self.depth = {}  # thread ident -> current depth
        self.stdout = None
        self.partial = {}  # (thread, task) -> its unfinished output line
        self._threading = None  # hooked once the snippet imports it (its import is costly)
        self._ident = get_ident
        self._main = get_ident()

    # -- recording -------------------------------------------------------------

    def add(self, event):
        if self.cut:
            return None
        self.size += 40 + sum(len(v) if isinstance(v, str) else 16 for v in event.values())
        if len(self.events) >= self.max_steps or self.size > self.max_bytes:
            self.stop_recording()
            return None
        if get_ident() != self._main:
            event["th"] = self.thread_name()
        self.events.append(event)
        return len(self.events) - 1

    def thread_name(self):
        threading = sys.modules.get("threading")
        if threading is None:
            return str(get_ident())
        return threading.current_thread().name

    def hook_threads(self):
        threading = sys.modules.get("threading")
        if threading is not None and hasattr(threading, "Thread"):
            self._threading = threading
            threading.settrace(self.glob)

    def stop_recording(self):
        self.cut = True
        sys.settrace(None)
        if self._threading is not None:
            self._threading.settrace(None)

    def show(self, value):
        self.quiet += 1
        try:
            return self._show(value, 2)
        except BaseException:
            return "<unprintable>"
        finally:
            self.quiet -= 1

    def _show(self, value, depth):
        kind = type(value)
        if kind is str or kind is bytes:
            text = repr(value[:VALUE_CHARS])  # not the whole of a long string
            if len(value) > VALUE_CHARS:
                text += "..."
        elif kind in _SCALARS:
            text = repr(value)
        elif kind in _SHAPES and depth <= 0:
            text = _SHAPES[kind]  # nested too deep: no repr of what may be huge
        elif kind in (list, tuple, set, frozenset) and depth > 0:
            items = []
            room = VALUE_CHARS
            for item in value:
                if room <= 0:  # past what will be shown: stop showing
                    items.append("...")
                    break
                items.append(self._show(item, depth - 1))
                room -= len(items[-1]) + 2
            if kind is list:
                text = "[" + ", ".join(items) + "]"
            elif kind is tuple:
                text = "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
            elif not items:
                text = kind.__name__ + "()"
            else:
                text = "{" + ", ".join(items) + "}"
                if kind is frozenset:
                    text = "frozenset(" + text + ")"
        elif kind is dict and depth > 0:
            items = []
            room = VALUE_CHARS
            for k, v in value.items():
                if room <= 0:
                    items.append("...")
                    break
                items.append(self._show(k, depth - 1) + ": " + self._show(v, depth - 1))
                room -= len(items[-1]) + 2
            text = "{" + ", ".join(items) + "}"
        elif kind.__name__ == "function":
            text = "function " + value.__qualname__
        elif isinstance(value, type):
            text = "class " + value.__qualname__
        elif kind.__name__ == "module":
            text = "module " + value.__name__
        else:
            text = repr(value)
        if len(text) > VALUE_CHARS:
            text = text[: VALUE_CHARS - 3] + "..."
        return text

    def snapshot(self, frame, old=None, ids=None):
        """name -> shown value; with the last snapshot and its object ids, an
        unchanged immutable value is not shown again (most names, most lines)."""
        out = {}
        for name, value in list(frame.f_locals.items()):
            if name.startswith(("__", ".")) or type(value).__name__ == "module":
                continue
            if ids is not None and type(value) in _STABLE:
                if ids.get(name) == id(value) and name in old:
                    out[name] = old[name]
                    continue
                ids[name] = id(value)
            out[name] = self.show(value)
        return out

    def settle(self, state, frame):
        """Attach what the frame's last line changed to that line's event."""
        old = state[2]
        now = self.snapshot(frame, old, state[6])
        changed = {k: v for k, v in now.items() if old.get(k) != v}
        old.update(
            now
        )  # merged: a name hidden for a moment (3.12's inlined comprehensions) is no change
        if not changed or state[1] is None or self.cut:
            return
        if state[1] == len(self.events) - 1:
            event = self.events[state[1]]
            event.setdefault("v", {}).update(changed)
            self.size += sum(len(k) + len(v) + 6 for k, v in changed.items())
        else:  # calls or output came between: say it where it happened
            self.add({"e": "set", "ln": self.events[state[1]]["ln"], "d": state[0], "v": changed})

    # -- the trace functions -----------------------------------------------------

    def glob(self, frame, event, arg):
        try:
            return self._glob(frame, event, arg)
        except RecursionError:  # the snippet is near the limit: stop here, let it run on
            self.stop_recording()
            return None

    def local(self, frame, event, arg):
        try:
            return self._local(frame, event, arg)
        except RecursionError:
            self.stop_recording()
            return None

    def _glob(self, frame, event, arg):
        if event != "call" or frame.f_code.co_filename != SNIPPET or self.cut:
            return None
        if self._threading is None:  # only here: a snippet frame runs, no import is half done
            self.hook_threads()
        ident = self._ident()
        key = id(frame)
        state = self.frames.get(key)
        depth = self.depth.get(ident, -1) + 1
        self.depth[ident] = depth
        if state is None or state[3] is not frame:
            state = [depth, None, {}, frame, False, None, {}]
            self.frames[key] = state
            if depth > 0:
                self.add({"e": "call", "ln": frame.f_lineno, "d": depth, "fn": self.name(frame)})
                state[2] = self.snapshot(frame)
                if state[2]:
                    self.events[-1]["v"] = dict(state[2]) if not self.cut else {}
        else:
            state[0] = depth
            if state[5] is not None and not self.cut:  # it returned at a yield or await
                ended = self.events[state[5]]
                ended["e"] = "await" if frame.f_code.co_flags & 0x80 else "yield"
                state[5] = None
            self.add({"e": "resume", "ln": frame.f_lineno, "d": depth, "fn": self.name(frame)})
        return self.local

    @staticmethod
    def name(frame):
        code = frame.f_code
        return getattr(code, "co_qualname", code.co_name)

    def _local(self, frame, event, arg):
        if self.cut:
            return None
        state = self.frames.get(id(frame))
        if state is None:
            return None
        depth = state[0]
        if event == "line":
            if self._threading is None:
                self.hook_threads()
            self.settle(state, frame)
            state[4] = False
            state[1] = self.add({"e": "line", "ln": frame.f_lineno, "d": depth})
        elif event == "return":
            self.settle(state, frame)
            ident = self._ident()
            self.depth[ident] = self.depth.get(ident, 0) - 1
            if state[4] and arg is None:
                kind = "unwind"  # the exception leaves this frame
            elif self.yielding(frame):
                kind = "await" if frame.f_code.co_flags & 0x80 else "yield"
            else:
                kind = "return"
            event = {"e": kind, "ln": frame.f_lineno, "d": depth, "fn": self.name(frame)}
            if kind != "unwind":
                event["r"] = self.show(arg)
            index = self.add(event)
            if not frame.f_code.co_flags & 0x2A0:
                self.frames.pop(id(frame), None)
            elif kind == "return":
                state[5] = index  # relabelled if the frame resumes
        elif event == "exception":
            self.settle(state, frame)
            exc_type, exc, _tb = arg
            if frame.f_code.co_flags & 0x2A0 and exc_type in (StopIteration, StopAsyncIteration):
                return self.local  # how a generator or an await hands back its value
            text = exc_type.__qualname__
            try:
                message = str(exc)
            except BaseException:
                message = "<unprintable>"
            if message:
                text += ": " + message
            state[4] = True
            self.add({"e": "exc", "ln": frame.f_lineno, "d": depth, "x": text[: VALUE_CHARS * 2]})
        return self.local

    @staticmethod
    def yielding(frame):
        """A generator or coroutine frame that returns at a yield will resume."""
        if not frame.f_code.co_flags & 0x2A0:  # GENERATOR | COROUTINE | ASYNC_GENERATOR
            return False
        import opcode

        code = frame.f_code.co_code
        lasti = frame.f_lasti
        if 0 <= lasti < len(code):
            return code[lasti] == opcode.opmap.get("YIELD_VALUE", -1)
        return False

    # -- output ----------------------------------------------------------------------

    def wrote(self, text):
        if self.quiet or self.cut or not text:
            return
        event = {"e": "out", "t": text[:OUT_CHARS], "d": self.depth.get(self._ident(), 0)}
        if get_ident() != self._main:
            event["th"] = self.thread_name()
        aio = sys.modules.get("asyncio")
        if aio is not None:
            try:
                task = aio.current_task()
            except BaseException:
                task = None
            if task is not None:
                try:
                    event["task"] = task.get_name()
                except BaseException:
                    pass
        # whole lines per thread and task: print() writes the text and the newline apart
        key = (event.get("th"), event.get("task"))
        held = self.partial.pop(key, None)
        if held is not None:
            event["t"] = held["t"] + event["t"]
        if "\n" not in event["t"] and len(event["t"]) < OUT_CHARS:
            self.partial[key] = event
            return
        head, sep, rest = event["t"].rpartition("\n")
        if rest and len(event["t"]) < OUT_CHARS:
            event["t"] = head + sep
            tail = dict(event)
            tail["t"] = rest
            self.partial[key] = tail
        self.add(event)

    # -- lifetime ------------------------------------------------------------------

    def start(self):
        self.stdout = sys.stdout
        sys.stdout = Tee(sys.stdout, self)
        self.hook_threads()
        sys.settrace(self.glob)

    def finish(self):
        """Wait for the snippet's threads (as interpreter shutdown would), then stop."""
        threading = sys.modules.get("threading")
        if threading is not None:
            current = threading.current_thread()
            for thread in threading.enumerate():
                if thread is not current and not thread.daemon:
                    try:
                        thread.join()
                    except BaseException:
                        pass
            threading.settrace(None)
        sys.settrace(None)
        for event in list(self.partial.values()):
            self.add(event)
        self.partial.clear()
        if isinstance(sys.stdout, Tee):
            sys.stdout = sys.stdout.inner

    def lines(self):
        """The report lines, and a `cut` event when the bound was reached."""
        out = []
        size = 0
        cut = self.cut
        for event in self.events:
            line = encode(event)
            size += (len(line) if line.isascii() else len(line.encode("utf-8", "replace"))) + 2
            if size > self.max_bytes:  # the running estimate was low (escapes, UTF-8)
                cut = True
                break
            out.append(line)
        if cut:
            out.append(encode({"e": "cut", "n": len(out)}))
        return out


class Tee:
    """sys.stdout for a traced run: the real stream, and a copy of each write."""

    def __init__(self, inner, tracer):
        self.inner = inner
        self.tracer = tracer

    def write(self, text):
        tracer = self.tracer
        if tracer.quiet:
            return len(text)
        if isinstance(text, str):
            tracer.wrote(text)
        return self.inner.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self.inner, name)
