"""report.py -- the what-if HTML report (`credex whatif --format html`,
docs/whatif.md) as a user sees it. Every page is parsed as XML (it must be
well-formed XHTML); when a Chromium is given, it is also opened from the file
in headless Chromium (tests/serve/chromium.py) and read through the DOM. The
two readings must agree with what the CLI's JSON says: the affected holders
table row by row, the totals, the gains and losses, markup from a pack shown
as text, and no resource fetched from anywhere.

Usage: report.py CREDEX SRC WORK PAGE HOLDERS_JSONL TOTALS_LINE TITLE [CHROMIUM].
Prints one line per check, which reader ran, and a last line "N passed,
M failed".
"""
import json
import sys
import xml.etree.ElementTree as ET

import harness
from chromium import Chromium
from harness import eq

CREDEX, SRC, WORK, PAGE, HOLDERS, TOTALS, TITLE = sys.argv[1:8]
CHROMIUM = sys.argv[8] if len(sys.argv) > 8 else ""
X = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
harness.verbose = True


def want_rows():
    """The holder lines of `--holders --format json`, as the table shows them."""
    with open(HOLDERS, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return [[o["holder"], o["stack"], o["from"], o["to"], "; ".join(o["because"])] for o in lines]


def text(e):
    return "".join(e.itertext())


def read_xml():
    """What the page says, read as XML: the same keys as read_dom."""
    root = ET.parse(PAGE).getroot()  # raises on a page that is not well-formed
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    body = by_id["holders"].find(".//%stbody" % X)
    return {
        "title": text(root.find(".//%sh1" % X)),
        "rows": [[text(td) for td in tr.findall("%std" % X)] for tr in body.findall("%str" % X)],
        "totals": text(by_id["transitions-total"]),
        "gains": text(by_id["gains"]),
        "losses": text(by_id["losses"]),
        "scripts": len(list(root.iter(X + "script"))),
        "external": sorted({a for e in root.iter() for a in ("src", "href") if e.get(a)}),
        "rects": len(list(root.iter(SVG + "rect"))),
    }


READ_DOM = """(() => {
  const t = id => document.getElementById(id).textContent;
  return {
    title: document.querySelector('h1').textContent,
    rows: Array.from(document.querySelectorAll('#holders tbody tr'))
      .map(tr => Array.from(tr.cells).map(td => td.textContent)),
    totals: t('transitions-total'), gains: t('gains'), losses: t('losses'),
    scripts: document.querySelectorAll('script').length,
    external: performance.getEntriesByType('resource').map(r => r.name),
    rects: document.querySelectorAll('svg rect').length,
    shown: document.querySelector('#chart svg').getBoundingClientRect().width > 0,
  };
})()"""


def read_dom():
    """What the page shows in headless Chromium, opened from the file."""
    b = Chromium(CHROMIUM, WORK, harness.TRIES, harness.started)
    try:
        if not b.open("file://" + PAGE):
            raise SystemExit("the report did not load in Chromium")
        got = b.js(READ_DOM)
        eq(got.pop("shown"), True, "chromium: the chart is drawn")
        return got
    finally:
        b.close()


def check(got, reader):
    rows = want_rows()
    eq(got["title"], TITLE, reader + ": the title")
    eq(got["rows"], rows, reader + ": the affected holders, row by row, are the CLI's")
    eq(got["totals"], TOTALS, reader + ": the totals are the CLI's")
    eq(got["scripts"], 0, reader + ": no script element (markup from a pack is text)")
    eq(got["external"], [], reader + ": nothing fetched or linked")
    return rows


def main():
    got = read_xml()
    rows = check(got, "xml")
    readers = ["xml parser"]
    if CHROMIUM:
        dom = read_dom()
        check(dom, "chromium")
        eq({k: dom[k] for k in ("gains", "losses", "rects")},
           {k: got[k] for k in ("gains", "losses", "rects")}, "chromium: the chart as parsed")
        readers.append("headless chromium")
    else:
        print("chromium: not found; the page was checked as XHTML only")
    print("checked with: " + " and ".join(readers))
    print(json.dumps({"gains": got["gains"], "losses": got["losses"], "rects": got["rects"],
                      "rows": len(rows)}))
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())
