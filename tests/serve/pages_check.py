#!/usr/bin/env python3
"""pages_check.py -- the web pages of runtime/pages/ are well-formed and
self-contained, with python3's standard library only:

- every element is closed in order (void elements excepted), ids unique,
  <html lang>, a <title>, a viewport <meta> (readable on a phone);
- every <input>, <select> and <textarea> has a label (<label for=ID>, an
  enclosing <label>, aria-label or aria-labelledby);
- every href, src and action names "#...", "/", "/openapi.json" or
  "/pages/NAME" of a file that exists;
- no file of the directory holds "http:", "https:" or "//": no CDN, no
  external URL, no protocol-relative URL, not even in a comment;
- no inline script, style attribute or on... handler, so the server can
  send Content-Security-Policy: default-src 'self';
- the scripts never parse markup (innerHTML, outerHTML,
  insertAdjacentHTML, document.write, eval): a string from a rule pack
  or the registry reaches the page only as text.

  pages_check.py DIR      prints "FILE:LINE: what" per problem; exit 1 if any.
"""
import os
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FIELDS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}
FORBIDDEN = ("http:", "https:", "//")
MARKUP = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")


class Page(HTMLParser):
    def __init__(self, name, files):
        super().__init__(convert_charrefs=True)
        self.name, self.files = name, files
        self.problems = []
        self.open = []          # (tag, line) of the elements not yet closed
        self.ids = {}
        self.label_for = set()
        self.fields = []        # (id, line, labelled by itself or an enclosing label)
        self.label_depth = 0
        self.seen = set()
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problem(self.getpos()[0], "an inline script (CSP default-src 'self'): use <script src>")

    def problem(self, line, what):
        self.problems.append("%s:%d: %s" % (self.name, line, what))

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        a = dict(attrs)
        self.seen.add(tag)
        if "id" in a:
            if a["id"] in self.ids:
                self.problem(line, "id %r also at line %d" % (a["id"], self.ids[a["id"]]))
            self.ids[a["id"]] = line
        if tag == "html" and not a.get("lang"):
            self.problem(line, "<html> needs lang")
        if tag == "meta" and a.get("name") == "viewport":
            self.seen.add("viewport")
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in FIELDS and a.get("type", "text") not in UNLABELLED_INPUTS:
            own = bool(a.get("aria-label") or a.get("aria-labelledby")) or self.label_depth > 0
            self.fields.append((a.get("id"), line, own, tag))
        for key in ("href", "src", "action"):
            if key in a:
                self.check_target(line, key, a[key] or "")
        for key in a:
            if key == "style" or key.startswith("on"):
                self.problem(line, "<%s %s=...>: no inline style or handler (CSP default-src 'self')" % (tag, key))
        if tag == "style":
            self.problem(line, "<style>: no inline style (CSP default-src 'self')")
        self.in_script = tag == "script"
        if tag not in VOID:
            self.open.append((tag, line))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.open and self.open[-1][0] == tag:
            self.open.pop()

    def handle_endtag(self, tag):
        line = self.getpos()[0]
        if tag in VOID:
            self.problem(line, "</%s>: a void element has no end tag" % tag)
            return
        if not self.open or self.open[-1][0] != tag:
            expected = "</%s> (opened at line %d)" % self.open[-1] if self.open else "nothing"
            self.problem(line, "</%s> where %s was expected" % (tag, expected))
            for i in range(len(self.open) - 1, -1, -1):
                if self.open[i][0] == tag:
                    del self.open[i:]
                    break
            return
        self.open.pop()
        self.in_script = False
        if tag == "label":
            self.label_depth -= 1

    def check_target(self, line, key, target):
        if target.startswith("#") or target in ("/", "/openapi.json"):
            return
        if target.startswith("/pages/") and target[len("/pages/"):] in self.files:
            return
        self.problem(line, "%s=%r: expected #..., /, /openapi.json or /pages/ and a file of the directory" % (key, target))

    def finish(self):
        self.close()
        for tag, line in self.open:
            self.problem(line, "<%s> is never closed" % tag)
        for field_id, line, own, tag in self.fields:
            if not own and field_id not in self.label_for:
                self.problem(line, "<%s id=%r> has no label" % (tag, field_id))
        for label in self.label_for - set(self.ids):
            self.problem(1, "<label for=%r> names no element" % label)
        if "title" not in self.seen:
            self.problem(1, "no <title>")
        if "viewport" not in self.seen:
            self.problem(1, "no <meta name=viewport>")
        return self.problems


def check_dir(directory):
    files = sorted(os.listdir(directory))
    problems = []
    for name in files:
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            text = f.read()
        for lineno, line in enumerate(text.split("\n"), 1):
            for bad in FORBIDDEN:
                if bad in line.lower():
                    problems.append("%s:%d: %r: the pages may name no external URL" % (name, lineno, bad))
        if name.endswith(".js"):
            for lineno, line in enumerate(text.split("\n"), 1):
                for bad in MARKUP:
                    if bad in line:
                        problems.append("%s:%d: %s: build the DOM with createElement and textContent" % (name, lineno, bad))
        if name.endswith(".html"):
            page = Page(name, files)
            page.feed(text)
            problems += page.finish()
    return problems


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write(__doc__)
        return 2
    problems = check_dir(argv[1])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
