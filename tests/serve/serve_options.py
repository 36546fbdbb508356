"""serve_options.py -- two options of `credex serve` over a real socket on
127.0.0.1 (port 0), with Python's standard library only:
--no-cache (the served audit is the same JSON, and no R.db.snapshot is
written beside a fresh registry by a load, a reload or a what-if, where
without it the first load writes one) and --pack-trust FILE read anew at
every reload (a key removed from the file refuses the reload and the old
packs keep serving; a file that no longer parses likewise; the key put back,
the reload succeeds). Waits are bounded by counts of tries; nothing is
timed. Usage: serve_options.py CREDEX SRC WORK; prints "N passed, M failed".
"""
import http.client
import json
import os
import signal
import subprocess
import sys

CREDEX, SRC, WORK = sys.argv[1:4]
sys.path.insert(0, os.path.join(SRC, "tests/serve"))
import harness  # noqa: E402  (checks and the serve process, stdlib only)
from harness import check, eq, wait_for  # noqa: E402
RULES = os.path.join(SRC, "examples/ev-mechanic/rules")  # every pack signed
CATALOG = os.path.join(SRC, "examples/ev-mechanic/catalog.yaml")
TRUST = os.path.join(SRC, "examples/keys/trust.json")
COMPACT = "EV Service Compact Commission"  # the authority of evc-compact.lua
AS_OF = "2026-06-01"
AUDIT = json.dumps({"holder": "h-tx-0001", "as_of": AS_OF})
with open(os.path.join(SRC, "tests/fixtures/whatif/tx-leaves-compact.yaml"), encoding="utf-8") as _f:
    CHANGE = _f.read()  # Texas leaves the compact: recognitions move


def cli(*args):
    return subprocess.run([CREDEX, *args], capture_output=True, check=False)


class Server(harness.ServeProcess):
    """credex serve over db with the example's packs; counts of stderr lines."""

    def __init__(self, db, *args):
        super().__init__(CREDEX, db, RULES, *args)

    def count(self, text):
        return sum(text in line for line in self.lines)

    def wait_count(self, text, n):
        """Waits until text is on n lines of stderr; False when it never is."""
        return wait_for(lambda: self.count(text) >= n)

    def hup(self, text):
        """SIGHUP, then waits for one more line holding text."""
        n = self.count(text) + 1
        self.proc.send_signal(signal.SIGHUP)
        return self.wait_count(text, n)

    def request(self, method, path, body=None, ctype="application/json"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": ctype} if body is not None else {}
        conn.request(method, path, body=body.encode() if body is not None else None,
                     headers=headers)
        r = conn.getresponse()
        out = (r.status, r.read())
        conn.close()
        return out

    def packs(self):
        st, data = self.request("GET", "/v1/version")
        return st, [p["id"] for p in json.loads(data)["packs"]]


def fresh_registry(name):
    db = os.path.join(WORK, name)
    eq(cli("--db", db, "import", CATALOG, "--quiet").returncode, 0, "import into " + name)
    check(not os.path.exists(db + ".snapshot"), name + ": an import writes no snapshot cache")
    return db


def test_no_cache():
    """--no-cache: nothing read or written beside the registry, the same answers."""
    db = fresh_registry("nocache.db")
    s = Server(db, "--no-cache")
    check("listening on" in s.first, "serve --no-cache starts: " + s.first)
    st, uncached = s.request("POST", "/v1/audit", AUDIT)
    eq(st, 200, "--no-cache: POST /v1/audit")
    check(b'"kind":"audit"' in uncached and b'"holder":"h-tx-0001"' in uncached,
          "--no-cache: the audit's decisions: %r" % uncached[:120])
    st, moved = s.request("POST", "/v1/whatif?as_of=" + AS_OF, CHANGE, "application/yaml")
    eq(st, 200, "--no-cache: POST /v1/whatif")
    check(b'"kind":"transfer"' in moved, "--no-cache: the what-if moves recognitions")
    check(s.hup("reloaded; content version 1"), "--no-cache: SIGHUP reloads")
    eq(s.request("POST", "/v1/audit", AUDIT), (200, uncached), "--no-cache: after the reload")
    check(not os.path.exists(db + ".snapshot"),
          "--no-cache: no nocache.db.snapshot after a load, a what-if and a reload")
    eq(s.stop(), 0, "--no-cache: exit 0")

    db = fresh_registry("cache.db")
    s = Server(db)
    check("listening on" in s.first, "serve starts: " + s.first)
    check(os.path.exists(db + ".snapshot"), "without --no-cache the first load writes "
          "cache.db.snapshot")
    st, cached = s.request("POST", "/v1/audit", AUDIT)
    eq((st, cached), (200, uncached), "the served audit is the same JSON with and without "
       "--no-cache")
    eq(s.request("POST", "/v1/whatif?as_of=" + AS_OF, CHANGE, "application/yaml"), (200, moved),
       "the served what-if is the same JSON with and without --no-cache")
    eq(s.stop(), 0, "exit 0")


def write_trust(path, drop=None, text=None):
    """The example trust file, without the issuer drop; or text itself."""
    with open(TRUST, encoding="utf-8") as f:
        trust = json.load(f)
    trust["issuers"] = [i for i in trust["issuers"] if i["id"] != drop]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text if text is not None else json.dumps(trust))


def test_trust_reload():
    """--pack-trust FILE is read again at every reload."""
    db = fresh_registry("trust.db")
    trust = os.path.join(WORK, "trust.json")
    write_trust(trust, drop=COMPACT)
    r = cli("serve", "--db", db, "--rules", RULES, "--listen", "127.0.0.1:0", "--pack-trust",
            trust, "--require-signed-packs")
    eq(r.returncode, 3, "serve with a trust file lacking a pack's key does not start")
    check(("authority '%s' is not in the pack trust file" % COMPACT).encode() in r.stderr,
          "and names the authority: %r" % r.stderr[-300:])

    write_trust(trust)
    s = Server(db, "--pack-trust", trust, "--require-signed-packs")
    check("listening on" in s.first, "serve with every key trusted starts: " + s.first)
    st, packs = s.packs()
    eq((st, len(packs)), (200, 4), "four signed packs served")
    st, before = s.request("POST", "/v1/audit", AUDIT)
    eq(st, 200, "an audit before the reloads")

    # the key taken out of the file: a reload is refused, the old packs serve
    write_trust(trust, drop=COMPACT)
    st, data = s.request("POST", "/v1/admin/reload", "")
    e = json.loads(data)["error"]
    eq((st, e["code"]), (500, "reload_failed"), "a reload after the key was removed is refused")
    check("evc-compact.lua.sig" in e["message"] and COMPACT in e["message"] and
          "not in the pack trust file" in e["message"],
          "the refusal names the pack's .sig and the authority: " + e["message"])
    eq(s.packs(), (200, packs), "the old packs keep serving")
    eq(s.request("POST", "/v1/audit", AUDIT), (200, before), "and keep deciding")
    check(s.hup("reload refused, serving the old packs"), "SIGHUP: the reload is refused too")
    check(any("reload refused" in x and COMPACT in x for x in s.lines),
          "stderr says why: %r" % [x for x in s.lines if "refused" in x])

    # a trust file that no longer parses: refused alike, located in the file
    write_trust(trust, text='{"issuers": [\n')
    st, data = s.request("POST", "/v1/admin/reload", "")
    e = json.loads(data)["error"]
    eq((st, e["code"]), (500, "reload_failed"), "a reload with a broken trust file is refused")
    check(e["message"].startswith("reload refused, serving the old packs: %s:2:1: " % trust),
          "the refusal names the trust file, line and column: " + e["message"])
    eq(s.packs(), (200, packs), "the old packs still serve")

    # the key put back: the reload succeeds
    write_trust(trust)
    st, data = s.request("POST", "/v1/admin/reload", "")
    eq((st, len(json.loads(data).get("packs", []))), (200, 4), "the key put back: reloaded")
    check(s.hup("reloaded; content version 1"), "SIGHUP reloads too")
    eq(s.request("POST", "/v1/audit", AUDIT), (200, before), "the same decisions after")
    st, data = s.request("POST", "/v1/diff", json.dumps({"packs": []}))
    eq(st, 403, "POST /v1/diff is still refused under --require-signed-packs after reloads")
    eq(s.stop(), 0, "exit 0")


def main():
    test_no_cache()
    test_trust_reload()
    return harness.summary()


sys.exit(main())
