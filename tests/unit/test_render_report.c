/*
 * test_render_report.c -- render_report.c on reports built by hand: the
 * holder lines in text, JSON and CSV, and the HTML page, with a holder id
 * holding markup, an ampersand, a quote, a control character and a byte
 * that is not UTF-8 (ids read from spreadsheets), each shown as text.
 */
#include "credex.h"
#include "test.h"

/* A holder whose audit moved, with the hostile id and two reasons. */
static char holder_id[] = "h-<script>&\"1\x01\xff";
static char stack_id[] = "CA-EV-TECH";
static char why1[] = "shop hours <b>95 & more</b>";
static char why2[] = "C3 expired under the new valid_for (2025-12-13)";
static char *because[] = {why1, why2};

static cx_holder_transition moved(void)
{
    cx_holder_transition h = {holder_id, stack_id, "met", "in_progress", because, 2};
    return h;
}

TEST(holder_line_text)
{
    cx_holder_transition h = moved();
    char *s = cx_holder_transition_text(&h);
    CHECK_STR(s, "audit CA-EV-TECH for h-<script>&\"1\\x01\xEF\xBF\xBD: met -> in_progress because "
                 "shop hours <b>95 & more</b>; C3 expired under the new valid_for (2025-12-13)\n");
    free(s);
    h.nbecause = 0;
    s = cx_holder_transition_text(&h);
    CHECK_STR(s, "audit CA-EV-TECH for h-<script>&\"1\\x01\xEF\xBF\xBD: met -> in_progress\n");
    free(s);
}

TEST(holder_line_json)
{
    cx_holder_transition h = moved();
    char *s = cx_holder_transition_json(&h);
    CHECK_STR(s, "{\"holder\":\"h-<script>&\\\"1\\u0001\xEF\xBF\xBD\",\"stack\":\"CA-EV-TECH\","
                 "\"from\":\"met\",\"to\":\"in_progress\",\"because\":[\"shop hours <b>95 & "
                 "more</b>\",\"C3 expired under the new valid_for (2025-12-13)\"]}\n");
    free(s);
}

TEST(holder_line_csv)
{
    cx_holder_transition h = moved();
    char *s = cx_holder_transition_csv(&h);
    CHECK_STR(cx_holder_transition_csv_header(), "holder,stack,from,to,because\r\n");
    CHECK_STR(s, "\"h-<script>&\"\"1\x01\xff\",CA-EV-TECH,met,in_progress,shop hours <b>95 & "
                 "more</b>;C3 expired under the new valid_for (2025-12-13)\r\n");
    free(s);
}

TEST(html_escapes_every_string)
{
    cx_holder_transition h = moved();
    char ex[] = "h-<i>";
    cx_transition t = {.kind = CX_DECISION_AUDIT,
                       .stack = stack_id,
                       .from = "met",
                       .to = "in_progress",
                       .count = 4,
                       .examples = {ex},
                       .nexamples = 1};
    cx_whatif_report rep = {.as_of = "2026-06-01",
                            .transitions = &t,
                            .ntransitions = 1,
                            .holders = 9,
                            .holders_audited = 4,
                            .audits = 4,
                            .moved = &h,
                            .nmoved = 1,
                            .holders_listed = 1};
    char *page = cx_whatif_report_html(&rep, "whatif a&b<c>.yaml");
    CHECK(page != NULL);
    if (!page) return;
    CHECK_CONTAINS(page, "<title>whatif a&amp;b&lt;c&gt;.yaml</title>");
    CHECK_CONTAINS(page, "<td>h-&lt;script&gt;&amp;&quot;1\xEF\xBF\xBD\xEF\xBF\xBD</td>");
    CHECK_CONTAINS(page, "shop hours &lt;b&gt;95 &amp; more&lt;/b&gt;; C3 expired");
    CHECK_CONTAINS(page, "<td>h-&lt;i&gt;, ...</td>");
    CHECK_CONTAINS(page, "<dd id=\"transitions-total\">4 holder-stack audits, 0 equivalences, 0 "
                         "recognitions</dd>");
    CHECK_CONTAINS(page, "<dd id=\"losses\">4</dd>");
    CHECK_CONTAINS(page, "<rect class=\"loss\"");
    CHECK(strstr(page, "<script") == NULL);
    CHECK(strstr(page, "\x01") == NULL);
    CHECK(strstr(page, "\xff") == NULL);
    CHECK(strstr(page, "src=") == NULL && strstr(page, "href=") == NULL); /* self-contained */
    free(page);
    rep.holders_listed = 0; /* holders not asked for: no table */
    page = cx_whatif_report_html(&rep, "t");
    CHECK(page && !strstr(page, "id=\"holders\""));
    free(page);
}

static const test_case cases[] = {{"holder_line_text", holder_line_text},
                                  {"holder_line_json", holder_line_json},
                                  {"holder_line_csv", holder_line_csv},
                                  {"html_escapes_every_string", html_escapes_every_string},
                                  {NULL, NULL}};

TEST_MAIN(cases)
