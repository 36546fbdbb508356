"""chromium.py -- headless Chromium driven over the DevTools protocol on
--remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON; Python's
standard library only), for the tests that look at pages as a user does:
tests/serve/browser.py (the pages of `credex serve`) and tests/serve/report.py
(the what-if HTML report). Every wait is a count of tries, never a time limit.
"""
import base64
import fcntl
import json
import os
import subprocess
import time


class Chromium:
    """Headless Chromium on --remote-debugging-pipe, attached to one page.
    binary: the chromium to run; work: a folder for its profile and log;
    tries: how many polls (50 ms apart) a wait makes; started: a list the
    process is appended to, for the caller to kill on the way out."""

    def __init__(self, binary, work, tries=400, started=None):
        self.tries = tries
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # the child's ends above fd 9, so that moving them to 3 and 4 never
        # overwrites one with the other
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def fds():  # the child's fd 3 reads what we write, fd 4 writes what we read
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        self.profile = os.path.join(work, "chromium-profile")
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + self.profile,
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "chromium.log"), "wb"),
            preexec_fn=fds, pass_fds=(3, 4))
        if started is not None:
            started.append(self.proc)
        os.close(child_r)
        os.close(child_w)
        self.out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.inp = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.session = None
        targets = self.send("Target.getTargets")["targetInfos"]
        page = [t for t in targets if t["type"] == "page"][0]
        self.session = self.send("Target.attachToTarget", targetId=page["targetId"],
                                 flatten=True)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def _message(self):
        while b"\0" not in self.buf:
            chunk = self.inp.read(65536)
            if not chunk:
                raise SystemExit("chromium closed its pipe (see chromium.log)")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            msg["sessionId"] = self.session
        self.out.write(json.dumps(msg).encode() + b"\0")
        while True:
            m = self._message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})

    def js(self, expr):
        """The value of a JavaScript expression (awaited when a promise)."""
        r = self.send("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, expr):
        for _ in range(self.tries):
            if self.js(expr):
                return True
            time.sleep(0.05)
        return False

    def open(self, url, ready="document.readyState === 'complete' && !!document.querySelector('main')"):
        """Navigates to url; True once the expression ready holds."""
        self.send("Page.navigate", url=url)
        return self.wait(ready)

    def width(self, width, height=900, mobile=False):
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def type_into(self, selector, text):
        """Focuses a field and types text into it, as the keyboard would."""
        self.js("document.querySelector(%s).focus()" % json.dumps(selector))
        self.js("document.querySelector(%s).select && document.querySelector(%s).select()"
                % (json.dumps(selector), json.dumps(selector)))
        self.send("Input.insertText", text=text)

    def key(self, key, code, keycode, text=None):
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": keycode}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", **down)
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
                  windowsVirtualKeyCode=keycode)

    def screenshot_png(self):
        """The whole page as PNG bytes."""
        return base64.b64decode(self.send("Page.captureScreenshot", format="png",
                                          captureBeyondViewport=True)["data"])

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, SystemExit, OSError):
            pass
        self.proc.wait(timeout=60)
