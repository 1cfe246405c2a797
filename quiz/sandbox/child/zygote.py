"""Child side: a fork server — one hardened interpreter that forks a fresh process
for each snippet instead of starting a new interpreter per run.

A fresh interpreter under bubblewrap costs far more CPU than a fork; `quiz check` runs every
output card with three hash seeds, so a deck of 100 cards spent most of its time
starting Pythons. The hash seed is fixed when an interpreter starts, so the parent
keeps one server per seed.

Only used under bubblewrap, where the pid namespace, the tmpfs mounts and the IPC
namespace belong to this server alone — which is what lets it make the sandbox as
good as new between runs: it kills every process but itself and the namespace's
init (`kill(-1)`), and empties the working directory, /tmp and /dev/shm (but for what
bubblewrap put there itself: see `layout`). A run that
leaves anything it cannot remove retires the server (it exits after answering; the
parent starts a new one).

What the server hardens once, for itself and every run (inherited through fork):
resource limits but CPU, Landlock, and being non-dumpable (so a snippet running
under the same uid cannot open the server's pipes through /proc). What each run
adds after the fork, in the forked child: its own session, the CPU limit, the drop
to `nobody` (as root; the server keeps CAP_SETUID for that and nothing else),
seccomp (its `kill` rule names the run's own process group), and a nested Landlock
domain scoping signals (ABI 6+), so a snippet cannot signal the server.

Protocol (trusted both ways — only the server and the quiz process hold the pipes):
request  `seq timeout_ms cpu_s output_limit code_len\\n` + code (UTF-8)
response `Q seq kind value timed_out clean out_dropped err_dropped len_out len_err
len_report\\n` + stdout + stderr + report, where kind is 0 (exit status `value`),
1 (killed by signal `value`) or 2 (unknown). Response 0 is the server's hello: its
own hardening report (`L`/`N` lines, or `F` and exit 125).

Self-contained (stdlib only): imported as a top-level module in the sandbox child.
"""

import os
import select
import time

REPORT_LIMIT = 256 * 1024
DRAIN_SECONDS = 0.3
KILL_SECONDS = 0.3
SCRATCH = ("/tmp", "/dev/shm")
MAX_DEPTH = 64


class Requests:
    """Buffered reader of requests from the parent."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = bytearray()

    def _fill(self):
        chunk = os.read(self.fd, 65536)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def next(self):
        """(seq, timeout_s, cpu_s, limit, code) or None when the parent closed the pipe."""
        while b"\n" not in self.buf:
            if not self._fill():
                return None
        head, _, rest = bytes(self.buf).partition(b"\n")
        seq, timeout_ms, cpu, limit, size = (int(x) for x in head.split())
        self.buf = bytearray(rest)
        while len(self.buf) < size:
            if not self._fill():
                return None
        code = bytes(self.buf[:size]).decode("utf-8", "surrogatepass")
        del self.buf[:size]
        return seq, timeout_ms / 1000.0, cpu, limit, code


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def respond(fd, seq, kind, value, timed_out, clean, out, err, report):
    fields = (
        seq,
        kind,
        value,
        int(timed_out),
        int(clean),
        out.dropped,
        err.dropped,
        len(out.data),
        len(err.data),
        len(report.data),
    )
    head = "Q " + " ".join(str(int(f)) for f in fields) + "\n"
    write_all(fd, head.encode() + bytes(out.data) + bytes(err.data) + bytes(report.data))


class Sink:
    """Keeps the first `limit` bytes of a stream and counts the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def feed(self, chunk):
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))


def set_dumpable(flag):
    import ctypes

    ctypes.CDLL(None).prctl(4, int(flag), 0, 0, 0)  # PR_SET_DUMPABLE


def serve(opts, hello):
    """The server loop. Returns only in a forked run child, with what it needs to
    harden itself and run: (code, report_fd, cpu_seconds)."""
    requests_fd, responses_fd = int(opts["request"]), int(opts["response"])
    workdir = opts["workdir"]
    uid, gid = int(opts.get("uid", "-1")), int(opts.get("gid", "-1"))
    drop = (uid, gid) if uid >= 0 and os.getuid() == 0 else None
    if drop is not None:
        import privileges  # noqa: F401 - loaded once here, used by every run child
    set_dumpable(False)
    none = Sink(0)
    respond(responses_fd, 0, 2, 0, False, True, none, none, hello)
    requests = Requests(requests_fd)
    scratch = (workdir,) + SCRATCH
    keep = layout(scratch)  # bubblewrap's own entries (see layout): left by every reset
    while True:
        request = requests.next()
        if request is None:
            os._exit(0)
        seq, timeout, cpu, limit, code = request
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        rep_r, rep_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            for fd in (out_r, out_w, err_r, err_w, rep_r, requests_fd, responses_fd):
                os.close(fd)
            return code, rep_w, cpu
        for fd in (out_w, err_w, rep_w):
            os.close(fd)
        out, err, report = Sink(limit), Sink(limit), Sink(REPORT_LIMIT)
        status, timed_out = supervise(pid, timeout, {out_r: out, err_r: err, rep_r: report})
        clean = reset(pid, status is not None, drop, scratch, keep)
        if status is None:
            status = reap(pid)
        drain({out_r: out, err_r: err, rep_r: report})
        for fd in (out_r, err_r, rep_r):
            os.close(fd)
        kind, value = describe(status)
        respond(responses_fd, seq, kind, value, timed_out, clean, out, err, report)
        if not clean:
            os._exit(0)


def supervise(pid, timeout, sinks):
    """Read the run's pipes until it exits or the wall clock runs out.
    Returns (wait status or None, timed_out)."""
    poller = select.poll()
    for fd in sinks:
        poller.register(fd, select.POLLIN)
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
        poller.register(pidfd, select.POLLIN)
    except (AttributeError, OSError):
        pidfd = None
    deadline = time.monotonic() + timeout
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status, False
            left = deadline - time.monotonic()
            if left <= 0:
                return None, True
            wait_ms = left * 1000
            if pidfd is None:
                wait_ms = min(wait_ms, 10)
            for fd, _ in poller.poll(max(1, int(wait_ms))):
                if fd == pidfd:
                    continue
                chunk = os.read(fd, 65536)
                if chunk:
                    sinks[fd].feed(chunk)
                else:
                    poller.unregister(fd)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def drain(sinks):
    """What is left in the pipes once every writer is dead (bounded in time)."""
    poller = select.poll()
    for fd in sinks:
        poller.register(fd, select.POLLIN)
    open_fds = set(sinks)
    until = time.monotonic() + DRAIN_SECONDS
    while open_fds:
        left = until - time.monotonic()
        if left <= 0:
            return
        for fd, _ in poller.poll(max(1, int(left * 1000))):
            chunk = os.read(fd, 65536)
            if chunk:
                sinks[fd].feed(chunk)
            else:
                poller.unregister(fd)
                open_fds.discard(fd)


def reap(pid):
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def describe(status):
    if status is None:
        return 2, 0
    if os.WIFSIGNALED(status):
        return 1, os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return 0, os.WEXITSTATUS(status)
    return 2, 0


def others_alive(pid):
    """Whether any process but init, this server and the exited run child exists."""
    me = os.getpid()
    return any(entry.isdigit() and int(entry) not in (1, me, pid) for entry in os.listdir("/proc"))


def layout(tops):
    """Every path under `tops`, not entering other file systems: before the first run,
    what bubblewrap itself put there — the folders it made on the /tmp tmpfs down to
    read-only binds of a Python or quiz that lives under /tmp (a CI clone, a venv made
    with mktemp), and those mount points. A reset removes everything else."""
    found = set()
    for top in tops:
        try:
            device = os.lstat(top).st_dev
        except OSError:
            continue
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                path = os.path.join(folder, name)
                found.add(path)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if (st.st_mode & 0o170000) == 0o040000 and st.st_dev == device:
                    stack.append(path)
    return found


def pristine(workdir, keep):
    """The usual end of a run: only the snippet file is new and nothing else runs."""
    try:
        if os.listdir(workdir) != ["snippet.py"] or layout(SCRATCH) != {
            p for p in keep if not p.startswith(workdir)
        }:
            return False
        os.unlink(os.path.join(workdir, "snippet.py"))
    except OSError:
        return False
    return not os.listdir(workdir)


def reset(pid, exited, drop, scratch, keep):
    """Kill everything the run started and empty the scratch dirs. Returns True when
    the sandbox is as good as new."""
    if exited and not others_alive(pid) and pristine(scratch[0], keep):
        return True
    if drop is None:
        return kill_and_wipe(scratch, keep)
    # As root the server may not signal or delete what `nobody` owns: a helper does,
    # as `nobody`. kill(-1) spares the caller, init and the server (other uid).
    helper = os.fork()
    if helper == 0:
        try:
            import privileges

            privileges.drop(*drop)
            ok = kill_and_wipe(scratch, keep)
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    if not exited:
        reap(pid)
    status = reap(helper)
    return status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def live_others():
    """Processes in the namespace but init, this process and its parent that are not
    yet dead (zombies are dead: init or the server reaps them)."""
    spared = (1, os.getpid(), os.getppid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in spared:
            continue
        try:
            with open("/proc/" + entry + "/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            return True
    return False


def kill_and_wipe(scratch, keep):
    """kill(-1) until nothing but the spared processes lives (SIGKILL is not
    instant), then empty the scratch dirs. False when either does not finish."""
    until = time.monotonic() + KILL_SECONDS
    while True:
        try:
            os.kill(-1, 9)
        except OSError:
            pass
        if not live_others():
            break
        if time.monotonic() > until:
            return False
        time.sleep(0.002)
    for top in scratch:
        wipe(top, keep)
    return layout(scratch) == keep


def wipe(folder, keep):
    """Remove everything under `folder` but the entries in `keep` (whose own contents
    are wiped in turn; other file systems are never entered)."""
    try:
        names = os.listdir(folder)
        device = os.lstat(folder).st_dev
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        if path not in keep:
            remove(path, 0, device)
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (st.st_mode & 0o170000) == 0o040000 and st.st_dev == device:
            wipe(path, keep)


def remove(path, depth, device):
    try:
        st = os.lstat(path)
    except OSError:
        return
    if st.st_dev != device:
        return  # not ours to touch (a snippet cannot mount; left in place: the server retires)
    if (st.st_mode & 0o170000) != 0o040000:
        try:
            os.unlink(path)
        except OSError:
            pass
        return
    if depth > MAX_DEPTH:
        return  # left in place: the server retires
    try:
        os.chmod(path, 0o700)
        names = os.listdir(path)
    except OSError:
        names = []
    for name in names:
        remove(os.path.join(path, name), depth + 1, device)
    try:
        os.rmdir(path)
    except OSError:
        pass
