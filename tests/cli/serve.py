"""serve.py -- `credex serve` over a real socket on 127.0.0.1 (port 0), with
Python's standard library only (http.client, socket, json, subprocess,
sqlite3). Every endpoint, every error status and its shape, tokens (401,
403 for a scope and a jurisdiction, 429), decisions, what-if and diff
byte-equal to the CLI's --format json, batch order, the pages and the
OpenAPI document from the binary, 413 over --max-body, 431 for headers
over the limit, a slow-header connection closed by --timeout, SIGHUP reload
after an import, a refused reload, SIGTERM draining (a request in flight
answered, 503 for a new one on an open connection, no new connection),
--log (entries equal to the CLI's --log, a busy log answered and counted).
Every JSON body received is validated against runtime/pages/openapi.json
(tests/serve/openapi_check.py) by its path, method and status, and every
operation and status of the document must have been seen. Waits are
bounded by counts of tries; nothing is timed. Usage: serve.py CREDEX SRC
WORK; prints "N passed, M failed".
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

CREDEX, SRC, WORK = sys.argv[1:4]
sys.path.insert(0, os.path.join(SRC, "tests/serve"))
import openapi_check  # noqa: E402  (the checker of tests/serve, stdlib only)
import harness  # noqa: E402  (checks and the serve process, stdlib only)
from harness import check, eq, wait_for  # noqa: E402

DOC_PATH = os.path.join(SRC, "runtime/pages/openapi.json")
with open(DOC_PATH, encoding="utf-8") as _f:
    DOC = json.load(_f)
VALIDATOR = openapi_check.Validator(DOC)
SEEN = set()  # (path template, method, status) of every response validated
RULES = os.path.join(SRC, "examples/ev-mechanic/rules")
CATALOG = os.path.join(SRC, "examples/ev-mechanic/catalog.yaml")
DB = os.path.join(WORK, "ev.db")
AS_OF = "2026-06-01"


def cli(*args):
    return subprocess.run([CREDEX, *args], capture_output=True, check=False)


def template_of(path):
    """The document's path for a request path ("/v1/holders/x" ->
    "/v1/holders/{id}"), or None when the document has no such path."""
    path = path.split("?", 1)[0]
    for tpl in DOC["paths"]:
        if re.fullmatch(re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(tpl)), path):
            return tpl
    return None


def validate_request(op, where, status, body, reqtype, data):
    """The request body against the operation's: a JSON body the server
    answered 200 must match the document's request schema, and one it
    refused as malformed (wrong_type, unknown_field, missing_field) must not."""
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema is None or body is None or (reqtype or "").split(";")[0] != "application/json":
        return
    try:
        sent = json.loads(body)
        code = json.loads(data)["error"]["code"] if status == 400 else None
    except (ValueError, KeyError, TypeError):
        return
    problems = list(VALIDATOR.errors(sent, schema))
    if status == 200:
        check(not problems, "%s: a request the server took, the document refuses: %s"
              % (where, problems[:3]))
    elif code in ("wrong_type", "unknown_field", "missing_field"):
        check(problems, "%s: a request the server refused (%s), the document takes"
              % (where, code))


def validate(method, path, status, ctype, data, body=None, reqtype=None):
    """A response against the document: its status must be documented for
    the operation, a JSON body must match that response's schema, another
    body must be of a documented content type (and the request body against
    the operation's, validate_request). A path or method the document does
    not have is answered 404 or 405 in the Error shape."""
    tpl = template_of(path)
    op = DOC["paths"].get(tpl, {}).get(method.lower()) if tpl else None
    where = "%s %s %d" % (method, path, status)
    if op is None:
        check(status in (404, 405), "%s: no operation, so 404 or 405" % where)
        schema = {"$ref": "#/components/schemas/Error"}
        SEEN.add(("-", method, status))
    else:
        SEEN.add((tpl, method.lower(), status))
        validate_request(op, where, status, body, reqtype, data)
        response = op["responses"].get(str(status))
        check(response is not None, "%s: status not in the document" % where)
        if response is None:
            return
        if "$ref" in response:
            response = openapi_check.resolve(DOC, response["$ref"])
        types = response.get("content", {})
        base = (ctype or "").split(";")[0].strip()
        check(base in types, "%s: Content-Type %r not among %r" % (where, ctype, list(types)))
        if base != "application/json":
            return
        schema = types["application/json"]["schema"]
    try:
        value = json.loads(data)
    except ValueError:
        check(False, "%s: not JSON: %r" % (where, data[:80]))
        return
    problems = list(VALIDATOR.errors(value, schema))
    check(not problems, "%s: the body does not match the document: %s" % (where, problems[:3]))


class Server(harness.ServeProcess):
    """credex serve over the example registry (or db, rules); every JSON
    body it answers validated against the OpenAPI document."""

    def __init__(self, *args, db=DB, rules=RULES):
        super().__init__(CREDEX, db, rules, *args)

    def wait_line(self, text):
        return wait_for(lambda: any(text in line for line in self.lines))

    def request(self, method, path, body=None, headers=None, ctype="application/json"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = dict(headers or {})
        if body is not None:
            h.setdefault("Content-Type", ctype)
            if isinstance(body, str):
                body = body.encode()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        out = (r.status, data, r.getheader("Credex-Content-Version"), r.getheader("Content-Type"))
        self.headers = dict(r.getheaders())
        conn.close()
        validate(method, path, r.status, out[3], data, body, h.get("Content-Type"))
        return out


def error_of(data):
    """The error object of a body, checking its one shape."""
    o = json.loads(data)
    check(list(o) == ["error"] and list(o["error"]) == ["code", "message", "pointer"],
          "the error shape of %r" % data)
    return o["error"]


def cli_json(*args):
    return cli(*args, "--db", DB, "--rules", RULES, "--as-of", AS_OF, "--format", "json").stdout


def decisions_body(lines):
    """{"decisions": [...]} from the CLI's JSON Lines, byte for byte."""
    return b'{"decisions":[' + b",".join(lines.rstrip(b"\n").split(b"\n")) + b"]}\n"


def test_reads(s):
    st, data, version, ctype = s.request("GET", "/v1/health")
    eq((st, data, version, ctype), (200, b'{"status":"ok"}\n', "1", "application/json"),
       "GET /v1/health")
    st, data, _, _ = s.request("GET", "/v1/version")
    v = json.loads(data)
    eq((v["engine"], v["content_version"]), (cli("--version").stdout.split()[1].decode(), 1),
       "/v1/version: engine, content version")
    eq([p["id"] for p in v["packs"]],
       ["ca-ev-certificate", "evc-compact", "tx-ca-ev-articulation", "tx-ev-renewal"],
       "/v1/version: the packs")
    check(all(len(p["sha256"]) == 64 for p in v["packs"]), "/v1/version: pack hashes")
    for kind, ident in [("credential", "CA-EVS-101"), ("holder", "h-tx-0001"),
                        ("group", "EVC")]:
        st, data, _, _ = s.request("GET", "/v1/%ss/%s" % (kind, ident))
        shown = cli("show", kind, ident, "--db", DB, "--format", "json").stdout
        eq((st, data), (200, shown), "GET /v1/%ss/%s is `show --format json`" % (kind, ident))
    st, data, _, _ = s.request("GET", "/v1/credentials/CA-EVS-10")
    e = error_of(data)
    eq((st, e["code"]), (404, "not_found"), "an unknown credential")
    check("did you mean 'CA-EVS-101'?" in e["message"], "404 names the nearest id")
    # every page, followed by next, lists what `credex list` lists
    listed = [json.loads(x)["id"] for x in
              cli("list", "credentials", "--db", DB, "--format", "json").stdout.splitlines()]
    got, after, pages = [], None, 0
    while pages < 100:
        path = "/v1/credentials?limit=3" + ("&after=" + after if after else "")
        st, data, _, _ = s.request("GET", path)
        page = json.loads(data)
        got += [x["id"] for x in page["items"]]
        pages += 1
        after = page["next"]
        if after is None:
            break
    eq(got, listed, "the pages of /v1/credentials")
    eq(pages, (len(listed) + 2) // 3, "pages of 3")
    st, data, _, _ = s.request("GET", "/v1/credentials?jurisdiction=US-CA&q=EVS")
    eq([x["id"] for x in json.loads(data)["items"]], ["CA-EVS-101"], "filters and q")
    st, data, _, _ = s.request("GET", "/v1/holders?jurisdiction=US-TX&limit=1")
    page = json.loads(data)
    eq((page["items"][0]["id"], page["next"]), ("h-tx-0001", "h-tx-0001"), "holders, paged")
    st, data, _, _ = s.request("GET", "/v1/groups")
    eq([g["id"] for g in json.loads(data)["items"]], ["EVC", "WEST-EV"], "groups")


def test_decisions(s):
    body = {"from": "TX-EVD-202", "to": "CA-EVD-202", "in": "US-CA", "as_of": AS_OF}
    st, data, _, _ = s.request("POST", "/v1/equiv", json.dumps(body))
    eq((st, data), (200, cli_json("equiv", "TX-EVD-202", "CA-EVD-202", "--in", "US-CA")),
       "POST /v1/equiv is `equiv --format json`")
    body = {"credential": "TX-EVS-101", "from": "US-TX", "to": "US-CT", "as_of": "2025-06-01"}
    st, data, _, _ = s.request("POST", "/v1/transfer", json.dumps(body))
    want = cli("transfer", "TX-EVS-101", "--from", "US-TX", "--to", "US-CT", "--db", DB, "--rules",
               RULES, "--as-of", "2025-06-01", "--format", "json").stdout
    eq((st, data), (200, want), "POST /v1/transfer (credential) is the CLI's")
    st, data, _, _ = s.request("POST", "/v1/transfer", json.dumps(
        {"holder": "h-tx-0001", "to": "US-CA", "as_of": AS_OF}))
    eq((st, data), (200, decisions_body(cli_json("transfer", "--holder", "h-tx-0001", "--to",
                                                 "US-CA"))), "POST /v1/transfer (holder)")
    st, data, _, _ = s.request("POST", "/v1/audit", json.dumps({"holder": "h-tx-0001",
                                                                "as_of": AS_OF}))
    eq((st, data), (200, decisions_body(cli_json("audit", "--holder", "h-tx-0001"))),
       "POST /v1/audit")
    # as_of defaults to today, as on the command line
    st, data, _, _ = s.request("POST", "/v1/equiv", '{"from":"TX-EVS-101","to":"CA-EVS-101"}')
    eq(json.loads(data)["as_of"], time.strftime("%Y-%m-%d"), "as_of defaults to today")
    # a batch: answers in request order
    asks = [{"kind": "equiv", "from": "TX-EVD-202", "to": "CA-EVD-202", "in": "US-CA",
             "as_of": AS_OF},
            {"kind": "audit", "holder": "h-tx-0001", "stack": "CA-EV-TECH", "as_of": AS_OF},
            {"kind": "transfer", "credential": "NOPE", "from": "US-TX", "to": "US-CA"},
            {"kind": "equiv", "from": "TX-EVS-101", "to": "CA-EVS-101", "in": "US-CA",
             "as_of": AS_OF}]
    st, data, _, _ = s.request("POST", "/v1/decisions", json.dumps({"requests": asks * 50}))
    answers = json.loads(data)["decisions"]
    eq((st, len(answers)), (200, 200), "a batch of 200")
    for i, a in enumerate(answers):
        if i % 4 == 2:
            eq(a["error"]["pointer"], "/requests/%d/credential" % i, "batch: an error in place")
        elif a != answers[i % 4]:
            check(False, "batch answer %d differs from answer %d" % (i, i % 4))
    eq(answers[0]["status"], "partial", "batch: the first equiv")
    eq(answers[1]["decisions"][0]["subject"], {"holder": "h-tx-0001", "stack": "CA-EV-TECH"},
       "batch: the audit in its place")
    eq(answers[3]["status"], "equivalent", "batch: the last equiv")
    eq(s.request("POST", "/v1/decisions", '{"requests":[]}')[:2], (200, b'{"decisions":[]}\n'),
       "an empty batch: an empty answer")


def test_errors(s):
    cases = [
        ("POST", "/v1/equiv", '{"from": ', 400, "bad_json", ""),
        ("POST", "/v1/equiv", '{"from":"TX-EVS-101","to":"CA-EVS-101","bogus":1}', 400,
         "unknown_field", "/bogus"),
        ("POST", "/v1/equiv", '{"from":["TX-EVS-101"],"to":"CA-EVS-101"}', 400, "wrong_type",
         "/from"),
        ("POST", "/v1/equiv", '{"from":"TX-EVS-101","to":"CA-EVS-101","as_of":1e400}', 400,
         "bad_json", ""),
        ("POST", "/v1/equiv", '{"from":"TX-EVS-101","to":"CA-EVS-101","in":123456789012345678901}',
         400, "bad_json", ""),
        ("POST", "/v1/equiv", b'{"from":"\xc3\x28","to":"CA-EVS-101"}', 400, "bad_json", ""),
        ("POST", "/v1/transfer", '{"holder":"h-tx-0001","to":"US-ZZ"}', 404, "not_found", "/to"),
        ("GET", "/v1/equiv", None, 405, "method_not_allowed", ""),
        ("POST", "/v1/health", "{}", 405, "method_not_allowed", ""),
        ("GET", "/v1/holders/..%2F..%2Fetc%2Fpasswd", None, 404, "not_found", ""),
        ("GET", "/v1/holders/%C3%28", None, 400, "bad_id", ""),
        ("GET", "/v1/holders/" + "9" * 400, None, 404, "not_found", ""),
        ("GET", "/v1/nothing", None, 404, "no_such_endpoint", ""),
        ("GET", "/v1/credentials?limit=0", None, 400, "bad_value", "?limit"),
        ("GET", "/v1/holders?type=x", None, 400, "unknown_parameter", "?type"),
    ]
    for method, path, body, status, code, pointer in cases:
        st, data, version, _ = s.request(method, path, body)
        e = error_of(data)
        eq((st, e["code"], e["pointer"]), (status, code, pointer), "%s %s" % (method, path))
        eq(version, "1", "Credex-Content-Version on a %d" % st)
    st, data, _, _ = s.request("POST", "/v1/equiv", "from=x", ctype="text/plain")
    eq((st, error_of(data)["code"]), (415, "unsupported_media_type"), "415")
    st, data, _, _ = s.request("POST", "/v1/equiv", json.dumps({"from": "x" * 65536, "to": "y"}))
    eq((st, error_of(data)["code"]), (413, "too_large"), "a body over --max-body 64K: 413")
    # chunked, so no Content-Length tells: refused while read, nothing kept
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.settimeout(60)
    sock.sendall(b"POST /v1/equiv HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    for _ in range(20):
        sock.sendall(b"1000\r\n" + b" " * 4096 + b"\r\n")
    sock.sendall(b"0\r\n\r\n")
    reply = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
    sock.close()
    check(reply.startswith(b"HTTP/1.1 413 "), "a chunked body over --max-body: 413")
    validate("POST", "/v1/equiv", 413, "application/json", reply.split(b"\r\n\r\n", 1)[-1])
    check(reply.endswith(b'"code":"too_large","message":"the request body is over the server\'s '
                         b'--max-body","pointer":""}}\n'), "in the error shape: %r" % reply[-80:])
    # a decision that is an error is a 200 with that decision: none in this
    # example trips a limit, so status error is left to the unit tests


def transitions_body(lines):
    """{"transitions": [...]} from the CLI's JSON Lines, byte for byte."""
    lines = lines.rstrip(b"\n")
    return b'{"transitions":[' + b",".join(lines.split(b"\n") if lines else []) + b"]}\n"


def test_pages(s):
    for path, name, ctype in [("/", "index.html", "text/html; charset=utf-8"),
                              ("/pages/transfer.js", "transfer.js",
                               "text/javascript; charset=utf-8"),
                              ("/pages/credex.css", "credex.css", "text/css; charset=utf-8"),
                              ("/openapi.json", "openapi.json", "application/json")]:
        st, data, version, got = s.request("GET", path)
        with open(os.path.join(SRC, "runtime/pages", name), "rb") as f:
            eq((st, got, data, version), (200, ctype, f.read(), "1"), "GET %s: %s from the binary"
               % (path, name))
        eq((s.headers.get("Content-Security-Policy"), s.headers.get("X-Content-Type-Options")),
           ("default-src 'self'", "nosniff"), "GET %s: the pages' headers" % path)
    for path in ["/pages/nope.html", "/pages/../openapi.json", "/pages/"]:
        st, data, _, ctype = s.request("GET", path)
        eq((st, ctype, error_of(data)["code"]), (404, "application/json", "not_found"),
           "GET %s: 404 in the error shape" % path)
    st, data, _, _ = s.request("POST", "/openapi.json", "{}")
    eq((st, error_of(data)["code"]), (405, "method_not_allowed"), "POST /openapi.json: 405")


with open(os.path.join(SRC, "tests", "fixtures", "whatif", "tx-leaves-compact.yaml")) as _f:
    TX_LEAVES = _f.read()


def test_whatif(s):
    change = os.path.join(WORK, "tx-leaves.yaml")
    with open(change, "w") as f:
        f.write(TX_LEAVES)
    want = transitions_body(cli_json("whatif", change))
    check(b'"kind":"transfer"' in want, "the CLI's what-if moves recognitions")
    st, data, _, _ = s.request("POST", "/v1/whatif?as_of=" + AS_OF, TX_LEAVES,
                               ctype="application/yaml")
    eq((st, data), (200, want), "POST /v1/whatif (YAML) is `whatif --format json`")
    as_json = json.dumps({"groups": [{"id": "EVC", "name": "EV Service Compact", "members": [
        {"jurisdiction": "US-TX", "from": "2024-01-01", "until": "2025-12-31"},
        {"jurisdiction": "US-CA", "from": "2025-07-01", "until": "2030-06-30"},
        {"jurisdiction": "US-NV", "from": "2025-01-01", "status": "partial"},
        {"jurisdiction": "US-CT", "from": "2025-10-01"},
        {"jurisdiction": "US-AZ", "from": "2024-06-01", "until": "2025-12-31"}]}]})
    st, data, _, _ = s.request("POST", "/v1/whatif?as_of=" + AS_OF, as_json)
    eq((st, data), (200, want), "POST /v1/whatif (JSON): the same answer")
    # a holder loses two awards: an audit moves
    lose = ("holders:\n  - id: h-ca-0003\n    jurisdiction: US-CA\n    awards:\n"
            "      - { credential: CA-EVS-101, issued: 2025-09-12 }\n")
    path = os.path.join(WORK, "lose.yaml")
    with open(path, "w") as f:
        f.write(lose)
    want = transitions_body(cli_json("whatif", path))
    check(b'"kind":"audit"' in want, "the CLI's what-if moves an audit: %r" % want)
    st, data, _, _ = s.request("POST", "/v1/whatif?as_of=" + AS_OF, lose,
                               ctype="application/x-yaml")
    eq((st, data), (200, want), "POST /v1/whatif: an audit moves, as on the CLI")
    with open(os.path.join(SRC, "examples/curriculum-change/change.yaml")) as f:
        text = f.read()
    st, data, _, _ = s.request("POST", "/v1/whatif?as_of=" + AS_OF, "", ctype="text/yaml")
    eq((st, data), (200, b'{"transitions":[]}\n'), "an empty change moves nothing")
    # the change as today, when no as_of is given
    st, data, _, _ = s.request("POST", "/v1/whatif", "version: 1\n", ctype="application/yaml")
    eq((st, data), (200, b'{"transitions":[]}\n'), "no as_of: today")
    cases = [
        (text, "application/yaml", "", 400, "bad_change", "body:8:8: rules: not taken here"),
        ("groups:\n  - id: EVC\n   name: x\n", "application/yaml", "", 400, "bad_change",
         "body:3:"),
        ("credentails: []\n", "application/yaml", "", 400, "bad_change", "body:1:1:"),
        ("holders:\n  - { id: h-x, awards: [{ credential: NOPE, issued: 2025-01-01 }] }\n",
         "application/yaml", "", 400, "bad_change", "body:2:"),
        ("remove:\n  credentials: [TX-EVS-101]\n", "application/yaml", "", 400, "bad_change",
         "with the change applied: counts_as: unknown credential 'TX-EVS-101'"),
        ("version: 1\n", "text/plain", "", 415, "unsupported_media_type", "application/yaml"),
        ("version: 1\n", "application/yaml", "?as_of=2026-13-01", 400, "bad_value", "as_of"),
        ("version: 1\n", "application/yaml", "?at=2026-01-01", 400, "unknown_parameter", "'at'"),
        ("version: 1\n", "application/yaml", "?as_of=" + AS_OF + "&x=1", 400,
         "unknown_parameter", "'x'"),
        ("version: 1\n", "application/yaml", "?as_of=", 400, "bad_value", "as_of"),
    ]
    for body, ctype, query, status, code, text_in in cases:
        st, data, _, _ = s.request("POST", "/v1/whatif" + query, body, ctype=ctype)
        e = error_of(data)
        eq((st, e["code"]), (status, code), "POST /v1/whatif%s %r" % (query, body[:30]))
        check(text_in in e["message"], "the message %r names %r" % (e["message"], text_in))
    st, data, _, _ = s.request("GET", "/v1/whatif")
    eq((st, error_of(data)["code"]), (405, "method_not_allowed"), "GET /v1/whatif: 405")


def pack_list(folder):
    """[{file, source}] of the packs of a folder, in byte order of name."""
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".lua"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                out.append({"file": name, "source": f.read()})
    return out


def test_diff(s):
    new = os.path.join(SRC, "examples/curriculum-change/rules")
    want = transitions_body(cli("diff", RULES, new, "--db", DB, "--as-of", AS_OF,
                                "--format", "json").stdout)
    check(b'"kind":"audit"' in want, "the CLI's diff has transitions: %r" % want[:80])
    st, data, _, _ = s.request("POST", "/v1/diff", json.dumps({"packs": pack_list(new),
                                                               "as_of": AS_OF}))
    eq((st, data), (200, want), "POST /v1/diff is `diff --format json`")
    st, data, _, _ = s.request("POST", "/v1/diff", json.dumps({"packs": pack_list(RULES),
                                                               "as_of": AS_OF}))
    eq((st, data), (200, b'{"transitions":[]}\n'), "the same packs: nothing moves")
    bad = "pack \"x\" { authority = \"t\", version = \"1\" }\nstack \"S\" {\n"
    cases = [
        ({"packs": [{"file": "x.lua", "source": bad}]}, 400, "bad_pack", "/packs/0/source",
         "x.lua:"),
        ({"packs": pack_list(new), "bogus": 1}, 400, "unknown_field", "/bogus", "bogus"),
        ({"as_of": AS_OF}, 400, "missing_field", "", "packs"),
        ({"packs": []}, 400, "wrong_type", "/packs", "packs"),
        ({"packs": [{"file": "x.txt", "source": ""}]}, 400, "bad_value", "/packs/0/file", ".lua"),
        ({"packs": [{"file": "x.lua"}]}, 400, "missing_field", "/packs/0", "source"),
        ({"packs": [{"file": "x.lua", "source": 1}]}, 400, "wrong_type", "/packs/0/source",
         "source"),
        ({"packs": pack_list(new), "as_of": "June"}, 400, "bad_value", "/as_of", "YYYY-MM-DD"),
    ]
    for body, status, code, pointer, text_in in cases:
        st, data, _, _ = s.request("POST", "/v1/diff", json.dumps(body))
        e = error_of(data)
        eq((st, e["code"], e["pointer"]), (status, code, pointer), "POST /v1/diff %r"
           % json.dumps(body)[:40])
        check(text_in in e["message"], "the message %r names %r" % (e["message"], text_in))


def log_rows(db):
    """The decision log of db without ids and times: every column of each
    decision, its packs, and the pack sources kept."""
    conn = sqlite3.connect(db)
    rows = [r[2:] for r in conn.execute("SELECT * FROM decision_log ORDER BY id")]
    packs = [r[1:] for r in conn.execute("SELECT * FROM decision_pack ORDER BY decision_id, seq")]
    sources = conn.execute("SELECT * FROM rule_pack ORDER BY sha256").fetchall()
    conn.close()
    return rows, packs, sources


def test_decision_log():
    """--log: the entries equal those the CLI's --log writes (but for ids
    and times); a busy log does not fail the answer, and is counted."""
    rules = os.path.join(WORK, "rules-copy")
    shutil.copytree(RULES, rules)
    logdb, clidb = os.path.join(WORK, "log.db"), os.path.join(WORK, "cli-log.db")
    for db in (logdb, clidb):
        eq(cli("--db", db, "import", CATALOG, "--quiet").returncode, 0, "import into " + db)
    s = Server("--log", "--busy-timeout", "1", db=logdb, rules=rules)
    asks = [("/v1/equiv", {"from": "TX-EVD-202", "to": "CA-EVD-202", "in": "US-CA",
                           "as_of": AS_OF},
             ["equiv", "TX-EVD-202", "CA-EVD-202", "--in", "US-CA"]),
            ("/v1/transfer", {"holder": "h-tx-0001", "to": "US-CA", "as_of": AS_OF},
             ["transfer", "--holder", "h-tx-0001", "--to", "US-CA"]),
            ("/v1/audit", {"holder": "h-tx-0001", "as_of": AS_OF},
             ["audit", "--holder", "h-tx-0001"])]
    for path, body, args in asks:
        st, _, _, _ = s.request("POST", path, json.dumps(body))
        eq(st, 200, "--log: POST " + path)
        r = cli(*args, "--db", clidb, "--rules", rules, "--as-of", AS_OF, "--log")
        eq(r.returncode, 0, "the CLI's --log: " + " ".join(args))
    batch = [dict(kind="equiv", **asks[0][1]), dict(kind="audit", **asks[2][1])]
    eq(s.request("POST", "/v1/decisions", json.dumps({"requests": batch}))[0], 200, "a batch")
    for args in (asks[0][2], asks[2][2]):
        cli(*args, "--db", clidb, "--rules", rules, "--as-of", AS_OF, "--log")
    served, logged = log_rows(logdb), log_rows(clidb)
    eq(len(served[0]), len(logged[0]), "as many decisions logged as the CLI logs")
    check(len(served[0]) >= 5 and len(served[1]) >= 5 * 4, "decisions and their packs logged")
    eq(served, logged, "the decision log of serve --log is the CLI's --log (but ids and times)")
    # another process holds the write lock: answered all the same, said and counted
    holder = sqlite3.connect(logdb, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    st, data, _, _ = s.request("POST", "/v1/equiv", json.dumps(asks[0][1]))
    holder.execute("ROLLBACK")
    holder.close()
    eq((st, data), (200, cli("equiv", "TX-EVD-202", "CA-EVD-202", "--in", "US-CA", "--db", logdb,
                             "--rules", rules, "--as-of", AS_OF, "--format", "json").stdout),
       "a busy log: the decision is answered")
    check(s.wait_line('"decision_log":"not logged: '), "the request's log line says why")
    busy = [json.loads(x) for x in s.lines if '"decision_log"' in x]
    eq([(x["path"], x["status"], x["log_failures"]) for x in busy], [("/v1/equiv", 200, 1)],
       "one failure counted, on its request's line")
    eq(s.request("POST", "/v1/equiv", json.dumps(asks[0][1]))[0], 200, "the lock released")
    eq(len(log_rows(logdb)[0]), len(logged[0]) + 1, "the next decision is logged again")
    # a reload whose packs fail keeps the old ones: 500 reload_failed
    with open(os.path.join(rules, "broken.lua"), "w") as f:
        f.write('pack "broken" { authority = "t", version = "1" }\nstack "S" {\n')
    st, data, _, _ = s.request("POST", "/v1/admin/reload", "")
    e = error_of(data)
    eq((st, e["code"]), (500, "reload_failed"), "a reload of a broken pack is refused")
    check("broken.lua" in e["message"], "and names the pack: " + e["message"])
    st, data, _, _ = s.request("GET", "/v1/version")
    eq(len(json.loads(data)["packs"]), 4, "the old packs are served")
    os.remove(os.path.join(rules, "broken.lua"))
    st, data, version, _ = s.request("POST", "/v1/admin/reload", "")
    v = json.loads(data)
    eq((st, version, v["content_version"], len(v["packs"])), (200, "1", 1, 4),
       "a reload answers the Version object now served")
    eq(s.stop(), 0, "--log: exit 0")


def test_breaker():
    """The run breaker of what-if and diff: --max-trips on serve."""
    lines = ["version: 1", "jurisdictions:", "  - { id: US-A, name: A }", "credentials:",
             "  - { id: C1, name: M1, type: module, jurisdiction: US-A, hours: 10 }",
             "  - { id: S1, name: S1, type: certificate, jurisdiction: US-A }", "holders:"]
    lines += ["  - { id: h-%04d, awards: [ { credential: C1, issued: 2025-01-01 } ] }" % h
              for h in range(50)]
    catalog, db = os.path.join(WORK, "spin.yaml"), os.path.join(WORK, "spin.db")
    with open(catalog, "w") as f:
        f.write("\n".join(lines) + "\n")
    eq(cli("--db", db, "import", catalog, "--quiet").returncode, 0, "import 50 holders")
    calm = os.path.join(WORK, "calm.lua")
    with open(calm, "w") as f:
        f.write('pack "spin" { authority = "test", version = "1" }\n'
                'stack "S1" { jurisdiction = "US-A", requires = all { "C1", '
                'check(function(ctx) return true end) } }\n')
    spin = ('pack "spin" { authority = "test", version = "1" }\n'
            'stack "S1" { jurisdiction = "US-A", requires = all { "C1",\n'
            '  check(function(ctx) while true do end end) } }\n')
    s = Server("--max-trips", "2", "--quiet", db=db, rules=calm)
    st, data, _, _ = s.request("POST", "/v1/diff", json.dumps(
        {"packs": [{"file": "spin.lua", "source": spin}], "as_of": AS_OF}))
    e = error_of(data)
    eq((st, e["code"], e["pointer"]), (400, "bad_pack", "/packs/0/source"),
       "a pack that spins stops the diff")
    check("run stopped: rule 'S1' tripped a counted limit in 2 decisions" in e["message"],
          "the breaker's message: " + e["message"])
    eq(s.stop(), 0, "exit 0")


def test_coverage():
    """Every operation of the document answered 200, and every status the
    document lists seen somewhere."""
    ops = [(p, m) for p, item in DOC["paths"].items() for m in item if m != "parameters"]
    missing = [(p, m) for p, m in ops if (p, m, 200) not in SEEN]
    eq(missing, [], "every operation answered 200")
    listed = {int(st) for p, m in ops for st in DOC["paths"][p][m]["responses"]}
    seen = {st for _, _, st in SEEN}
    eq(sorted(listed - seen), [], "every documented status seen")


def test_issue(s):
    """POST /v1/issue: 404 on a server without an issuer; with one, the
    badge `credex issue` makes (byte for byte), verified by `credex import`
    into a fresh registry; 409 with the decision when the stack is not met;
    scope issue."""
    ask = json.dumps({"holder": "h-ca-0001", "stack": "CA-EV-TECH", "as_of": AS_OF})
    st, data, _, _ = s.request("POST", "/v1/issue", ask)
    eq((st, error_of(data)["code"]), (404, "no_such_endpoint"), "no issuer: the endpoint is off")
    key = os.path.join(WORK, "issuer.jwk")
    r = cli("keys", "new", "--kid", "rh-2026", "--out", key)
    eq(r.returncode, 0, "an issuer key")
    public = r.stdout.decode().strip()
    issuer = ["--issuer-id", "https://riohondo.example/issuers/ev", "--issuer-name",
              "Rio Hondo College"]
    r = cli("serve", "--db", DB, "--rules", RULES, "--issuer-key", key, "--issuer-id", "rh")
    eq(r.returncode, 2, "--issuer-key without the rest: exit 2")
    check(b"needs all of --issuer-key FILE, --issuer-id IRI and --issuer-name NAME" in r.stderr,
          "and says why")
    issuing, issuing_line = token("registrar", "issue")
    deciding, deciding_line = token("decider", "decide")
    tokens = os.path.join(WORK, "issue-tokens.yaml")
    with open(tokens, "w") as f:
        f.write("tokens:\n" + issuing_line + "\n" + deciding_line + "\n")
    t = Server("--issuer-key", key, *issuer, "--tokens", tokens, "--quiet")

    def auth(tok):
        return {"Authorization": "Bearer " + tok}
    st, data, _, _ = t.request("POST", "/v1/issue", ask, headers=auth(deciding))
    check(st == 403 and "'issue'" in error_of(data)["message"], "issuing needs scope issue")
    st, data, version, _ = t.request("POST", "/v1/issue", ask, headers=auth(issuing))
    eq(st, 200, "a met stack: issued")
    jwt = json.loads(data)["jwt"]
    r = cli("--db", DB, "--rules", RULES, "--as-of", AS_OF, "issue", "--holder", "h-ca-0001",
            "--stack", "CA-EV-TECH", *issuer, "--key", key)
    eq(jwt + "\n", r.stdout.decode(), "the JWT credex issue writes, byte for byte")
    eq(data, json.dumps({"jwt": jwt}, separators=(",", ":")).encode() + b"\n", "the body")
    header = json.loads(base64.urlsafe_b64decode(jwt.split(".")[0] + "=="))
    eq(header, {"alg": "EdDSA", "kid": "rh-2026", "typ": "JWT"}, "the JOSE header")
    badge = os.path.join(WORK, "served.jwt")
    with open(badge, "w") as f:
        f.write(jwt + "\n")
    trust = os.path.join(WORK, "issue-trust.yaml")
    place = os.path.join(WORK, "issue-ca.yaml")
    with open(trust, "w") as f:
        f.write("issuers:\n  - id: https://riohondo.example/issuers/ev\n    keys:\n"
                "      - " + public + "\n")
    with open(place, "w") as f:
        f.write("version: 1\njurisdictions:\n  - { id: US-CA, name: California }\n")
    fresh = os.path.join(WORK, "issue-fresh.db")
    r = cli("--db", fresh, "import", place, badge, "--trust", trust, "--jurisdiction", "US-CA",
            "--quiet")
    eq(r.returncode, 0, "the served badge imports, its issuer trusted: %r" % r.stderr)
    holder = json.loads(cli("--db", fresh, "show", "holder", "urn:credex:holder:h-ca-0001",
                            "--format", "json").stdout)
    award = holder["awards"][0]
    eq((award["credential"], award["issued"], "expires" in award,
        award["provenance"]["verification"]),
       ("ce-9e3b7b41-575f-412f-817e-fd9dacab369d", "2025-12-12", False, "verified"),
       "a verified award of the certificate, issued 2025-12-12, never expiring")
    not_met = json.dumps({"holder": "h-ca-0002", "stack": "CA-EV-TECH", "as_of": AS_OF})
    st, data, _, _ = t.request("POST", "/v1/issue", not_met, headers=auth(issuing))
    eq(st, 409, "a stack in progress: 409")
    o = json.loads(data)
    eq(o["error"]["code"], "not_met", "the error's code")
    eq(json.dumps(o["decision"], separators=(",", ":"), ensure_ascii=False).encode() + b"\n",
       cli_json("audit", "--holder", "h-ca-0002", "--stack", "CA-EV-TECH"),
       "the decision audit prints, with what is missing")
    st, data, _, _ = t.request("POST", "/v1/issue", '{"holder":"h-ca-0001","stack":"CA-EV-TEC"}',
                               headers=auth(issuing))
    eq((st, error_of(data)["pointer"]), (404, "/stack"), "an unknown stack: 404 at /stack")
    st, data, _, _ = t.request("POST", "/v1/issue", '{"holder":"h-ca-0001"}',
                               headers=auth(issuing))
    eq((st, error_of(data)["code"]), (400, "missing_field"), "no stack: 400")
    eq(t.stop(), 0, "exit 0")


def test_flood(s):
    held = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(300)]
    st, data, _, _ = s.request("GET", "/v1/health")
    eq((st, data), (200, b'{"status":"ok"}\n'), "300 idle connections held: still answering")
    for sock in held:
        sock.close()


def test_slow_header(s):
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.settimeout(60)
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")  # never finished
    got = sock.recv(1024)
    eq(got, b"", "a slow-header connection is closed by --timeout, unanswered")
    sock.close()


def test_big_header(s):
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.settimeout(60)
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
    reply = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
    sock.close()
    check(reply.startswith(b"HTTP/1.1 431 "), "headers over 32 KiB: 431 from libmicrohttpd")


def test_log(s):
    lines = [json.loads(x) for x in s.lines if x.startswith("{")]
    check(len(lines) > 30, "a log line per request")
    eq(list(lines[0]), ["time", "method", "path", "status", "us", "token"], "log line keys")
    eq((lines[0]["method"], lines[0]["path"], lines[0]["status"]), ("GET", "/v1/health", 200),
       "the first log line")


def test_reload_under_load(s):
    """Reloads (the endpoint and SIGHUP, alternately) while four clients
    keep deciding on kept-alive connections: every request in flight or
    begun during a swap is answered 200 with the same decision."""
    body = json.dumps({"from": "TX-EVD-202", "to": "CA-EVD-202", "in": "US-CA", "as_of": AS_OF})
    want = cli_json("equiv", "TX-EVD-202", "CA-EVD-202", "--in", "US-CA")
    done = threading.Event()
    results = [[] for _ in range(4)]

    def client(out):
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        while not done.is_set() or len(out) < 20:
            conn.request("POST", "/v1/equiv", body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            out.append((r.status, r.read()))
        conn.close()

    workers = [threading.Thread(target=client, args=(out,)) for out in results]
    for w in workers:
        w.start()
    reloads = 0
    for i in range(6):
        seen = sum(len(out) for out in results)
        while sum(len(out) for out in results) < seen + 10:  # requests between the swaps
            time.sleep(0.01)
        if i % 2:
            before = sum("reloaded" in line for line in s.lines)
            s.proc.send_signal(signal.SIGHUP)
            # until the server says it reloaded once more
            reloads += wait_for(lambda: sum("reloaded" in line for line in s.lines) > before)
        else:
            reloads += s.request("POST", "/v1/admin/reload", "")[0] == 200
    done.set()
    for w in workers:
        w.join(timeout=120)
    answers = [a for out in results for a in out]
    eq(reloads, 6, "six reloads while the clients decide")
    eq([a for a in answers if a != (200, want)], [],
       "every one of %d requests during the reloads answered 200 with the decision" % len(answers))


def main():
    r = cli("--db", DB, "import", CATALOG, "--quiet")
    eq(r.returncode, 0, "import")
    r = cli("token", "new", "x", "--scopes", "read,sudo")
    eq((r.returncode, r.stdout), (2, b""), "token new: an unknown scope")
    check(b"unknown scope 'sudo'" in r.stderr, "names it")
    r = cli("serve", "--db", DB, "--rules", RULES, "--listen", "localhost:80")
    eq(r.returncode, 2, "--listen takes an IPv4 address")
    r = cli("serve", "--db", DB, "--rules", RULES, "--listen", "0.0.0.0:0")
    eq(r.returncode, 2, "a non-loopback --listen without --tokens: exit 2")
    check(b"loopback only" in r.stderr, "and says why")

    s = Server("--max-body", "64K", "--timeout", "1")
    check(s.first.startswith("credex serve: listening on http://127.0.0.1:"), s.first)
    check(s.wait_line("loopback only"), "without --tokens: says so")
    test_reads(s)
    test_decisions(s)
    test_errors(s)
    test_pages(s)
    test_whatif(s)
    test_diff(s)
    test_issue(s)
    test_flood(s)
    test_slow_header(s)
    test_big_header(s)
    test_log(s)
    test_reload_under_load(s)
    # SIGHUP after an import: the new content version
    eq(cli("--db", DB, "import", CATALOG, "--quiet").returncode, 0, "a second import")
    s.proc.send_signal(signal.SIGHUP)
    check(s.wait_line("reloaded; content version 2"), "SIGHUP reloads")
    st, data, version, _ = s.request("GET", "/v1/version")
    eq((version, json.loads(data)["content_version"]), ("2", 2), "the new content version")
    # SIGTERM with a request in flight: answered, then exit 0
    body = json.dumps({"from": "TX-EVS-101", "to": "CA-EVS-101", "in": "US-CA",
                       "as_of": AS_OF}).encode()
    keep = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)  # kept alive
    keep.request("GET", "/v1/health")
    eq(keep.getresponse().read(), b'{"status":"ok"}\n', "a kept-alive connection")
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.settimeout(60)
    # Expect: 100-continue: the server says "continue" once it has the
    # headers, so the request is in flight before the signal
    sock.sendall(b"POST /v1/equiv HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Connection: close\r\nExpect: 100-continue\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body))
    cont = b""
    while not cont.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        cont += chunk
    eq(cont, b"HTTP/1.1 100 Continue\r\n\r\n", "the request is in flight")
    s.proc.send_signal(signal.SIGTERM)
    check(s.wait_line("credex serve: draining"), "SIGTERM: draining")
    refused = False
    try:
        socket.create_connection(("127.0.0.1", s.port)).close()
    except OSError:
        refused = True
    check(refused, "draining: no new connection")
    keep.request("GET", "/v1/health")
    r = keep.getresponse()
    data = r.read()
    validate("GET", "/v1/health", r.status, r.getheader("Content-Type"), data)
    e = error_of(data)
    eq((r.status, e["code"]), (503, "draining"), "draining: a new request on an open connection")
    keep.close()
    sock.sendall(body)
    reply = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
    sock.close()
    check(reply.startswith(b"HTTP/1.1 200"), "the request in flight is answered: %r" % reply[:40])
    check(reply.endswith(cli_json("equiv", "TX-EVS-101", "CA-EVS-101", "--in", "US-CA")),
          "with its decision")
    eq(s.proc.wait(timeout=60), 0, "SIGTERM drains and exits 0")

    test_tokens()
    test_decision_log()
    test_breaker()
    test_coverage()
    return harness.summary()


def token(name, scopes):
    r = cli("token", "new", name, "--scopes", scopes)
    token_line, yaml_line = r.stdout.decode().splitlines()
    check(token_line.startswith("cxt_") and len(token_line) == 68, "a token: " + token_line)
    check(token_line not in yaml_line, "the tokens-file line does not hold the token")
    return token_line, yaml_line


def test_tokens():
    reader, reader_line = token("reader", "read")
    decider, decider_line = token("ca-decider", "decide,read")
    admin, admin_line = token("ops", "admin")
    path = os.path.join(WORK, "tokens.yaml")
    with open(path, "w") as f:
        f.write("tokens:\n" + reader_line + "\n" + decider_line.replace(
            "]}", "], jurisdictions: [US-CA]}") + "\n" + admin_line.replace("]}", "], rate: 1}")
            + "\n")
    s = Server("--tokens", path, "--quiet")

    def auth(t):
        return {"Authorization": "Bearer " + t}
    eq(s.request("GET", "/v1/health")[0], 200, "health needs no token")
    for path in ["/", "/openapi.json", "/pages/whatif.html", "/v1/version"]:
        eq(s.request("GET", path)[0], 200, "%s needs no token" % path)
    st, data, _, _ = s.request("GET", "/", headers=auth("cxt_" + "0" * 64))
    eq((st, error_of(data)["code"]), (401, "unauthorized"), "an unknown token, even for a page")
    st, data, _, _ = s.request("POST", "/v1/whatif", "version: 1\n", headers=auth(reader),
                               ctype="application/yaml")
    eq((st, error_of(data)["code"]), (403, "forbidden"), "what-if needs scope whatif")
    st, data, _, _ = s.request("POST", "/v1/diff", "{}", headers=auth(decider))
    check(st == 403 and "'whatif'" in error_of(data)["message"], "diff needs scope whatif")
    st, data, _, _ = s.request("GET", "/v1/holders/h-tx-0001")
    eq((st, error_of(data)["code"]), (401, "unauthorized"), "no token: 401")
    eq(s.request("GET", "/v1/holders/h-tx-0001", headers=auth("cxt_" + "0" * 64))[0], 401,
       "an unknown token: 401")
    eq(s.request("GET", "/v1/holders/h-tx-0001", headers=auth(reader))[0], 200, "read scope")
    st, data, _, _ = s.request("POST", "/v1/equiv", '{"from":"TX-EVS-101","to":"CA-EVS-101"}',
                               headers=auth(reader))
    eq((st, error_of(data)["code"]), (403, "forbidden"), "no decide scope: 403")
    ok = s.request("POST", "/v1/transfer", '{"holder":"h-tx-0001","to":"US-CA"}',
                   headers=auth(decider))
    eq(ok[0], 200, "decisions into the token's jurisdiction")
    st, data, _, _ = s.request("POST", "/v1/transfer", '{"holder":"h-ca-0001","to":"US-TX"}',
                               headers=auth(decider))
    eq(st, 403, "decisions into another jurisdiction: 403")
    check("US-TX" in error_of(data)["message"], "403 names the jurisdiction")
    eq(s.request("GET", "/v1/holders/h-tx-0001", headers=auth(decider))[0], 403,
       "a holder of another jurisdiction: 403")
    statuses = [s.request("POST", "/v1/admin/reload", "{}", headers=auth(admin))[0]
                for _ in range(5)]
    check(200 in statuses and 429 in statuses, "rate 1: some of 5 requests get 429: %r" % statuses)
    logged = "\n".join(s.lines)
    check('"token":"ca-decider"' in logged, "the log names the token")
    check(all(t not in logged for t in (reader, decider, admin)), "never the token itself")
    eq(s.stop(), 0, "exit 0")
    eq([x for x in s.lines if not x.startswith("{")], [], "--quiet: only the request log")


sys.exit(main())
