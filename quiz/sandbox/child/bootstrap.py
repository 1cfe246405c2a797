"""Child side: the first (trusted) code the sandbox child interpreter runs.

    python -s -S -B -X utf8 entry.py key=value ... -- CODE     (entry.py calls main)

It hardens its own process in an order where each step still has the rights it
needs — private mounts (root only), resource limits, the privilege drop, the
parent-death signal, Landlock, seccomp — and only then runs the snippet. Doing this
here rather than in a `preexec_fn` keeps the parent fast and safe to use from
several threads (CPython warns that preexec_fn may deadlock when the parent has
threads); nothing untrusted runs before every layer is in place, and every layer is
inherited by whatever the snippet forks or execs. If any requested layer fails, the
child reports it and exits 125 without running the snippet.

The snippet is written to `snippet.py` in the working directory and executed as the
`__main__` module (compiled as `<snippet>`, so tracebacks do not show the temp path),
with `__file__` pointing at the real file so that multiprocessing's spawn and
forkserver children can re-import it. An uncaught exception is reported as
`Type: message` on the report fd (a side channel the parent reads; stderr is only
for the learner), then the traceback goes to stderr and the exit status is 1, as
with plain `python snippet.py`.

Imports are kept to what each step needs (no json, re or signal: each costs
milliseconds and the whole run has a budget of 2.5x a bare interpreter start).
Self-contained: the quiz package is not importable here.
"""

import builtins
import os
import sys

# The child side's modules (the parent compiles them ahead: quiz.sandbox.command).
CHILD_MODULES = (
    "bootstrap",
    "limits",
    "landlock",
    "seccomp",
    "mounts",
    "privileges",
    "zygote",
    "tracer",
)
TRACE_HEADER = "\0trace "  # a deck's code cannot hold a NUL: only the parent can ask


def _escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class Collector:
    """Report lines kept in memory: a fork server's own hardening, sent as its hello."""

    def __init__(self):
        self.data = bytearray()

    def send(self, tag, text=""):
        self.data += (tag + _escape(text) + "\n").encode("utf-8", "backslashreplace")


class Reporter:
    """Tagged lines on the side-channel fd, written only by the original process."""

    def __init__(self, fd):
        self.fd = fd
        self.pid = os.getpid()

    def send(self, tag, text=""):
        if self.fd < 0 or os.getpid() != self.pid:
            return
        data = (tag + _escape(text) + "\n").encode("utf-8", "backslashreplace")
        try:
            os.write(self.fd, data)
        except OSError:
            pass

    def send_lines(self, tag, texts):
        """Many lines in one write (a trace's events), sent as they are: each must
        hold no line break of any kind (tracer.py's JSON escapes them all)."""
        if self.fd < 0 or os.getpid() != self.pid or not texts:
            return
        data = "".join(tag + t + "\n" for t in texts).encode("utf-8", "backslashreplace")
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError:
            pass


def parse(argv):
    opts = {}
    rest = argv[1:]
    while rest and rest[0] != "--":
        key, _, value = rest.pop(0).partition("=")
        opts[key] = value
    code = rest[1] if len(rest) > 1 else ""
    return opts, code


def _paths(value):
    return [p for p in value.split("\n") if p]


def harden(opts, reporter, server=False):
    """Every layer the parent asked for, or an exception. A fork server (`server`)
    leaves the CPU limit, the privilege drop and seccomp to each run (harden_run)."""
    workdir = opts["workdir"]
    uid = int(opts.get("uid", "-1"))
    gid = int(opts.get("gid", "-1"))
    if opts.get("mountns") == "1":
        import mounts

        mounts.isolate(
            workdir, int(opts["disk"]), uid, gid, _paths(opts.get("expose", "")), opts["stash"]
        )
        reporter.send("L", "mount-namespace")
    import limits

    values = {
        name: int(opts[name])
        for name in limits.NAMES
        if name in opts and not (server and name == "cpu")
    }
    for note in limits.apply(values, nproc_relative=opts.get("nproc_relative") == "1"):
        reporter.send("N", note)
    if uid >= 0 and os.getuid() == 0 and not server:
        import privileges

        privileges.drop(uid, gid)
        reporter.send("L", f"privilege-drop uid={uid}")
    os.chdir(workdir)
    if opts.get("pdeathsig") == "1":
        import ctypes

        ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    if opts.get("landlock") == "1":
        import landlock

        for note in landlock.restrict(_paths(opts.get("ro", "")), _paths(opts.get("rw", ""))):
            reporter.send("N", note)
        reporter.send("L", f"landlock abi={landlock.abi_version()}")
    if opts.get("seccomp") == "1":
        import seccomp

        if not server:
            seccomp.install()
            reporter.send("L", "seccomp")


def harden_run(opts, reporter, cpu):
    """The layers a fork server's run child adds after the fork (see zygote.py)."""
    import limits

    for note in limits.apply({"cpu": cpu}):
        reporter.send("N", note)
    uid = int(opts.get("uid", "-1"))
    if uid >= 0 and os.getuid() == 0:
        import privileges

        privileges.drop(uid, int(opts.get("gid", "-1")))
        reporter.send("L", f"privilege-drop uid={uid}")
    else:
        import zygote

        zygote.set_dumpable(True)  # the server is not; a snippet's own /proc/self/fd must work
    if opts.get("landlock") == "1":
        import landlock

        try:
            landlock.scope_signals()
            reporter.send("L", "landlock signal scope")
        except OSError as exc:
            reporter.send(
                "N", f"the snippet can signal its fork server ({exc}); a harmed server is replaced"
            )
    if opts.get("seccomp") == "1":
        import seccomp

        seccomp.install()
        reporter.send("L", "seccomp")


def describe(exc):
    name = type(exc).__qualname__
    try:
        message = str(exc)
    except BaseException:
        message = "<unprintable>"
    return f"{name}: {message}" if message else name


def run_snippet(code, workdir, reporter):
    """Execute `code` as __main__; returns the exit status Python would give.

    Code that starts with TRACE_HEADER (`\\0trace MAX_STEPS MAX_BYTES\\n`) runs under
    tracer.py and its trace goes on the report pipe as `T` lines before the exit
    status."""
    tracer = None
    if code.startswith(TRACE_HEADER):
        head, _, code = code.partition("\n")
        steps, size = (int(x) for x in head[len(TRACE_HEADER) :].split())
        import tracer as tracer_module

        tracer = tracer_module.Tracer(steps, size)
    path = os.path.join(workdir, "snippet.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(code)
    main = type(sys)("__main__")
    main.__file__ = path
    main.__builtins__ = builtins  # type: ignore[attr-defined]  # a module object made by hand
    main.__spec__ = None
    main.__loader__ = None
    sys.modules["__main__"] = main
    sys.argv[:] = [path]
    sys.path[0] = workdir
    for name in CHILD_MODULES:
        sys.modules.pop(name, None)
    try:
        compiled = compile(code, "<snippet>", "exec")
        if tracer is None:
            exec(compiled, main.__dict__)
        else:
            tracer.start()
            try:
                exec(compiled, main.__dict__)
            finally:
                tracer.finish()
                reporter.send_lines("T", tracer.lines())
    except SystemExit as exc:
        status = exc.code
        if status is None:
            status = 0
        elif not isinstance(status, int):
            print(status, file=sys.stderr)
            status = 1
        reporter.send("X", str(status))
        return status
    except BaseException as exc:
        reporter.send("E", describe(exc))
        import linecache
        import traceback

        lines = code.splitlines(True)
        linecache.cache["<snippet>"] = (len(code), None, lines, "<snippet>")
        tb = exc.__traceback__
        traceback.print_exception(type(exc), exc, tb.tb_next if tb is not None else None)
        sys.stderr.flush()
        reporter.send("X", "1")
        return 1
    reporter.send("X", "0")
    return 0


def serve(opts):
    """A fork server (zygote.py): harden once, then fork one run child per request."""
    hello = Collector()
    try:
        harden(opts, hello, server=True)
    except BaseException as exc:
        hello.send("F", f"{type(exc).__name__}: {exc}")
        import zygote

        zygote.respond(
            int(opts["response"]), 0, 2, 0, False, False, zygote.Sink(0), zygote.Sink(0), hello
        )
        os._exit(125)
    import zygote

    code, report_fd, cpu = zygote.serve(opts, hello)  # returns only in a run child
    reporter = Reporter(report_fd)
    os.set_inheritable(report_fd, False)
    try:
        harden_run(opts, reporter, cpu)
    except BaseException as exc:
        reporter.send("F", f"{type(exc).__name__}: {exc}")
        os._exit(125)
    reporter.send("R")
    return run_snippet(code, opts["workdir"], reporter)


def main(argv):
    opts, code = parse(argv)
    if opts.get("server") == "1":
        for key in ("request", "response"):
            os.set_inheritable(int(opts[key]), False)
        return serve(opts)
    reporter = Reporter(int(opts.get("report", "-1")))
    for key in ("report", "codefd"):
        if int(opts.get(key, "-1")) >= 0:
            os.set_inheritable(int(opts[key]), False)
    try:
        harden(opts, reporter)
    except BaseException as exc:
        reporter.send("F", f"{type(exc).__name__}: {exc}")
        os._exit(125)
    reporter.send("R")
    if "codefd" in opts:
        code = receive(int(opts["codefd"]))
        if code is None:  # the parent went away before handing us a snippet
            os._exit(0)
    return run_snippet(code, opts["workdir"], reporter)


def receive(fd):
    """A pre-started child waits here for its snippet: `<length>\\n<utf-8 code>`.
    None when the pipe closes early (the parent exited or discarded this spare)."""
    data = bytearray()
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(fd)
    head, sep, body = bytes(data).partition(b"\n")
    if not sep or not head.isdigit() or int(head) != len(body):
        return None
    return body.decode("utf-8", "surrogateescape")
