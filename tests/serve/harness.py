"""harness.py -- what the Python tests of `credex serve` and its pages share
(tests/cli/serve.py, tests/serve/serve_options.py, browser.py, report.py),
with Python's standard library only: counted checks that end in the line
"N passed, M failed", and a `credex serve` process on 127.0.0.1 port 0
whose stderr is read on a thread; every process a test starts (in
`started`) is killed at exit when a failed check left it running. Waits
are bounded by counts of tries; nothing is timed.
"""
import atexit
import signal
import subprocess
import sys
import threading
import time

TRIES = 400  # polls of 0.05 s at most, a guard against hangs, not a measure
passed = failed = 0
verbose = False  # True: a line "ok: WHAT" for each check that holds, too
started = []  # processes to kill at exit if still running


def check(cond, what):
    """Counts a check; whether it held."""
    global passed, failed
    if cond:
        passed += 1
        if verbose:
            print("ok: " + what)
    else:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)
    return cond


def eq(got, want, what):
    return check(got == want, what if got == want else "%s: got %r, expected %r" % (what, got, want))


def summary():
    """Prints the last line; the exit status: 1 when a check failed."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def wait_for(cond):
    """Polls cond up to TRIES times, 50 ms apart: whether it came true."""
    for _ in range(TRIES):
        if cond():
            return True
        time.sleep(0.05)
    return False


@atexit.register
def _kill_left():
    """A server a failed check left running is killed, never kept."""
    for proc in started:
        if proc.poll() is None:
            proc.kill()


class ServeProcess:
    """`CREDEX serve --db DB --rules RULES --listen 127.0.0.1:0 --threads 2
    ARGS...`: its port from the first line of stderr, the later lines read
    on a thread into self.lines."""

    def __init__(self, credex, db, rules, *args):
        self.proc = subprocess.Popen(
            [credex, "serve", "--db", db, "--rules", rules, "--listen", "127.0.0.1:0",
             "--threads", "2", *args], stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        started.append(self.proc)
        self.first = self.proc.stderr.readline().decode()
        self.lines = []
        self.port = int(self.first.rsplit(":", 1)[1]) if "listening on" in self.first else 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.decode().rstrip("\n"))

    def stop(self):
        """SIGTERM; the exit status, once every line is read."""
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        self.reader.join(timeout=60)
        return rc
