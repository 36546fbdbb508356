"""browser.py -- the web pages of `credex serve` driven through the DOM in
headless Chromium, over the DevTools protocol on --remote-debugging-pipe
(tests/serve/chromium.py; Python's standard library only).
A real `credex serve` on 127.0.0.1 port 0 over examples/ev-mechanic
answers; what the pages show is compared with what the CLI says.

Usage: browser.py CREDEX SRC WORK ARTIFACTS CHROMIUM. Prints one line per
check and a last line "N passed, M failed"; screenshots of every page go
to ARTIFACTS. Every wait is a count of tries, never a time limit.
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import urllib.parse

import harness
from chromium import Chromium
from harness import check, eq

CREDEX, SRC, WORK, ARTIFACTS, CHROMIUM = sys.argv[1:6]
EV = os.path.join(SRC, "examples", "ev-mechanic")
RULES = os.path.join(EV, "rules")
DB = os.path.join(WORK, "ev.db")
TRIES = 400  # waits: up to this many polls, 50 ms apart
harness.verbose = True


def cli_json(*args):
    r = subprocess.run([CREDEX, "--db", DB, *args, "--rules", RULES, "--format", "json"],
                       capture_output=True, stdin=subprocess.DEVNULL)
    return [json.loads(line) for line in r.stdout.decode().splitlines() if line.strip()]


class Server:
    """`credex serve` on 127.0.0.1, port 0; its first line names the port."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [CREDEX, "serve", "--db", DB, "--rules", RULES, "--listen", "127.0.0.1:0",
             "--threads", "2"], stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        harness.started.append(self.proc)
        first = self.proc.stderr.readline().decode()
        if "listening on " not in first:
            raise SystemExit("credex serve did not start: " + first)
        self.url = first.split("listening on ", 1)[1].strip()
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def get(self, path):
        u = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status

    def post(self, path, body, ctype):
        u = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.request("POST", path, body=body.encode(), headers={"Content-Type": ctype})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data


class Browser(Chromium):
    """The shared driver (chromium.py), with this test's screenshots."""

    def __init__(self):
        super().__init__(CHROMIUM, WORK, TRIES, harness.started)

    def screenshot(self, name):
        data = self.screenshot_png()
        path = os.path.join(ARTIFACTS, name + ".png")
        with open(path, "wb") as f:
            f.write(data)
        check(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000,
              "screenshot %s (%d bytes)" % (path, len(data)))


# ------------------------------------------------------------- scenarios

UNLABELLED = """Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(f => f.type !== 'hidden')
  .map(f => [f.id || f.name, (f.labels && f.labels.length) || f.getAttribute('aria-label')
             || f.getAttribute('aria-labelledby') ? 1 : 0])"""


def labelled(b, page):
    fields = b.js(UNLABELLED)
    check(len(fields) > 0, "%s: has form fields (%d)" % (page, len(fields)))
    eq([f for f, ok in fields if not ok], [], "%s: every form field is labelled" % page)


def transfer_checker(b, base):
    """A credential from Texas into Connecticut before Connecticut joined the
    compact: not recognised, two near misses, each with its file:line."""
    want = cli_json("transfer", "TX-EVS-101", "--from", "US-TX", "--to", "US-CT",
                    "--as-of", "2025-06-01")[0]
    check(b.open(base + "/pages/transfer.html"), "transfer.html loads")
    labelled(b, "transfer.html")
    b.type_into("#credential", "TX-EVS-101")
    b.type_into("#from", "US-TX")
    b.js("document.getElementById('as_of').value = '2025-06-01'")
    b.type_into("#to", "US-CT")
    b.key("Enter", "Enter", 13, "\r")  # submitted from the keyboard, in the last field
    check(b.wait("!!document.querySelector('#result article.decision')"),
          "transfer: Enter in a field submits and a decision is shown")
    got = b.js("""(() => {
      const a = document.querySelector('#result article.decision');
      return {status: a.querySelector('h3 .status').textContent,
              misses: Array.from(a.querySelectorAll('table tbody tr'))
                .map(tr => Array.from(tr.cells).map(td => td.textContent))};
    })()""")
    eq(got["status"], want["status"].replace("_", " "), "transfer: the status shown is the CLI's")
    nodes = {c["rule"]: c for c in want["trace"]["children"]}
    rows = [[m["rule"], m["clause"], m["detail"],
             "%s:%d \u2014 %s" % (nodes[m["rule"]]["file"], nodes[m["rule"]]["line"],
                                  nodes[m["rule"]]["cite"])] for m in want["near_misses"]]
    check(len(rows) == 2, "transfer: the CLI gives two near misses")
    eq(got["misses"], rows, "transfer: the near misses (rule, clause, why, file:line and citation) are the CLI's")
    b.screenshot("transfer")


def holder_audit(b, base):
    """h-tx-0001 towards the California certificate: the bar's value and
    maximum, and the missing items, from the CLI's decision."""
    want = cli_json("audit", "--holder", "h-tx-0001", "--stack", "CA-EV-TECH",
                    "--as-of", "2026-06-01")[0]
    check(b.open(base + "/pages/audit.html"), "audit.html loads")
    labelled(b, "audit.html")
    b.type_into("#holder", "h-tx-0001")
    b.js("document.getElementById('as_of').value = '2026-06-01'")
    b.type_into("#stack", "CA-EV-TECH")
    b.key("Enter", "Enter", 13, "\r")
    check(b.wait("!!document.querySelector('#result progress')"), "audit: a progress bar is shown")
    got = b.js("""(() => {
      const a = document.querySelector('#result article.decision');
      const p = a.querySelector('progress');
      return {status: a.querySelector('h3 .status').textContent, value: p.value, max: p.max,
              label: p.labels.length ? p.labels[0].textContent : '',
              missing: Array.from(a.querySelectorAll(':scope > ul li')).map(li => li.textContent)};
    })()""")
    slots = len({u["slot"] for u in want["used"] if u.get("slot")})
    eq(got["status"], want["status"].replace("_", " "), "audit: the status shown is the CLI's")
    eq((got["value"], got["max"]), (slots, slots + len(want["missing"])),
       "audit: the bar is the slots filled out of those plus the missing ones")
    check(got["value"] == 2 and got["max"] == 3, "audit: h-tx-0001 has 2 of 3 (got %r of %r)"
          % (got["value"], got["max"]))
    eq(got["label"], "Progress: %d of %d requirements" % (slots, slots + len(want["missing"])),
       "audit: the bar's label says the same")
    eq(got["missing"], want["missing"], "audit: the missing items are the CLI's")
    b.screenshot("audit")


# Texas leaves the EV Service Compact at the end of 2025 (as in
# tests/serve/pages.sh): a change file that moves recognitions under the
# server's own packs.
with open(os.path.join(SRC, "tests", "fixtures", "whatif", "tx-leaves-compact.yaml")) as _f:
    TX_LEAVES = _f.read()


def whatif_page(b, base, server):
    """A change file uploaded through the file field and submitted from the
    keyboard: the transitions table against the CLI's, the per-credential
    table, the chart and the CSV link."""
    text = TX_LEAVES
    change = os.path.join(WORK, "tx-leaves.yaml")
    with open(change, "w") as f:
        f.write(text)
    check(b.open(base + "/pages/whatif.html"), "whatif.html loads")
    labelled(b, "whatif.html")
    status, _ = server.post("/v1/whatif?as_of=2026-06-01", text, "application/yaml")
    eq(status, 200, "POST /v1/whatif answers the change file")
    want = cli_json("whatif", change, "--as-of", "2026-06-01")
    doc = b.send("DOM.getDocument")["root"]["nodeId"]
    node = b.send("DOM.querySelector", nodeId=doc, selector="#change-file")["nodeId"]
    b.send("DOM.setFileInputFiles", files=[change], nodeId=node)
    b.js("document.getElementById('as_of').value = '2026-06-01'")
    b.js("document.querySelector('#whatif-form button[type=submit]').focus()")
    b.key("Enter", "Enter", 13, "\r")
    check(b.wait("!document.getElementById('result').hidden"
                 " || document.getElementById('error').textContent !== ''"),
          "what-if: an answer is shown")
    eq(b.js("document.getElementById('error').textContent"), "", "what-if: no error shown")
    rows = b.js("""Array.from(document.querySelectorAll('#transitions tbody tr'))
      .map(tr => Array.from(tr.cells).map(td => td.textContent))""")
    eq(sorted((r[0], r[2], r[3], r[4]) for r in rows),
       sorted((t["kind"], t["from"], t["to"], str(t["count"])) for t in want),
       "what-if: the transitions (kind, before, after, count) are the CLI's")
    check(len(rows) == 18, "what-if: Texas leaving moves 18 recognitions (%d rows)" % len(rows))
    per = b.js("""Array.from(document.querySelectorAll('#per-credential tbody tr'))
      .map(tr => Array.from(tr.cells).map(td => td.textContent).join(' '))""")
    check("TX-EVS-101 0 3 0" in per, "what-if: TX-EVS-101 loses 3 recognitions (%r)" % per)
    check(b.js("document.querySelectorAll('#chart rect').length") > 0, "what-if: the chart is drawn")
    check(b.js("document.getElementById('csv').href.startsWith('blob:')"), "what-if: the CSV link is ready")
    b.screenshot("whatif")


def phone_width(b, base):
    """At 360 px, no page scrolls sideways, the answers shown included."""
    b.width(360, 740, mobile=True)
    for page in ["/", "/pages/transfer.html?credential=TX-EVS-101&from=US-TX&to=US-CT&as_of=2025-06-01",
                 "/pages/audit.html?holder=h-tx-0001&as_of=2026-06-01", "/pages/whatif.html"]:
        name = "phone-" + (page.split("?")[0].rsplit("/", 1)[1].replace(".html", "") or "index")
        check(b.open(base + page), name + ": loads")
        if "?" in page:
            check(b.wait("!!document.querySelector('#result article')"), name + ": the answer is shown")
        if page == "/":
            labelled_links = b.js("document.querySelectorAll('main a').length")
            check(labelled_links > 0, name + ": links to the pages")
        sw = b.js("document.documentElement.scrollWidth")
        check(sw <= 360, "%s: no horizontal scroll at 360 px (scrollWidth %d)" % (name, sw))
        b.screenshot(name)
    b.width(1000, 900)


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    r = subprocess.run([CREDEX, "--db", DB, "import", os.path.join(EV, "catalog.yaml"), "--quiet"])
    eq(r.returncode, 0, "import the EV example")
    server = Server()
    # The pages, the API and the document all come from credex serve.
    base = server.url
    eq(server.get("/pages/transfer.html"), 200, "credex serve serves the pages")
    b = Browser()
    b.width(1000, 900)
    for scenario in (transfer_checker, holder_audit, lambda b, base: whatif_page(b, base, server),
                     phone_width):
        try:
            scenario(b, base)
        except (RuntimeError, KeyError, IndexError, TypeError) as e:
            check(False, "%s: %s" % (getattr(scenario, "__name__", "scenario"), e))
    b.close()
    server.proc.terminate()
    server.proc.wait(timeout=60)
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())
