/*
 * ctdl_values.c -- the values of a CTDL credential that need reading:
 * codes classified by their pattern, credit values, durations, renewal and
 * dates (instants to UTC dates). It builds catalog values, never entities.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl_int.h"
#include "date.h"

/* ---------------------------------------------------------------- codes */

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* The scheme of a code by its pattern: onet, soc, cip, naics; NULL. */
static const char *code_scheme(const char *s)
{
    size_t n = strlen(s);
    if (n == 10 && digits(s, 2) && s[2] == '-' && digits(s + 3, 4) && s[7] == '.' &&
        digits(s + 8, 2))
        return "onet";
    if (n == 7 && digits(s, 2) && s[2] == '-' && digits(s + 3, 4)) return "soc";
    if (n == 7 && digits(s, 2) && s[2] == '.' && digits(s + 3, 4)) return "cip";
    if (n >= 2 && n <= 6 && digits(s, n)) return "naics";
    return NULL;
}

static int add_code(ctdl *x, cx_ynode *codes, const char *code, const cx_ynode *at, const char *key)
{
    const char *scheme = code_scheme(code);
    if (!scheme) {
        cx__ctdl_report(x, at, key, "code '%s' matches no code scheme credex keeps", code);
        return CX_OK;
    }
    int rc = cx__ctdl_add_to_list(x, codes, scheme, code, at);
    if (rc || strcmp(scheme, "onet") != 0) return rc;
    char soc[8];
    memcpy(soc, code, 7);
    soc[7] = '\0';
    return cx__ctdl_add_to_list(x, codes, "soc", soc, at);
}

/* The codes of alignment objects under key, and of plain strings (naics). */
int cx__ctdl_codes(ctdl *x, const cx_ynode *cred, const char *key, cx_ynode *codes)
{
    ctdl_values v = cx__ctdl_values(cred, key);
    for (size_t i = 0; i < v.n; i++) {
        const cx_ynode *c = v.v[i], *at = c;
        if (c->kind == CX_YMAP) at = cx__ymap_get(c, "ceterms:codedNotation");
        if (!at || at->kind != CX_YSCALAR || at->plain) {
            cx__ctdl_report(x, c, key, "an alignment without a code: not imported");
            continue;
        }
        int rc = add_code(x, codes, at->text, at, key);
        if (rc) return rc;
    }
    return CX_OK;
}

/* ------------------------------------------------------------ credits */

/* "creditUnit:SemesterHour" -> "semester_hour"; NULL when not an enumeration value. */
const char *cx__ctdl_credit_unit(ctdl *x, const cx_ynode *unit)
{
    if (unit && unit->kind == CX_YLIST && unit->count) unit = unit->items[0];
    if (unit && unit->kind == CX_YMAP) unit = cx__ymap_get(unit, "ceterms:targetNode");
    if (unit && unit->kind == CX_YLIST && unit->count) unit = unit->items[0];
    if (!unit || unit->kind != CX_YSCALAR || unit->plain) return NULL;
    const char *local = cx__ctdl_local_name(unit->text, "creditUnit:");
    const char *k = local ? cx__ctdl_kebab(x, local) : NULL;
    if (!k) return NULL;
    char *s = (char *)k;
    for (char *p = s; *p; p++)
        if (*p == '-') *p = '_';
    return s;
}

int cx__ctdl_credits(ctdl *x, const cx_ynode *cred, cx_ynode *out, cx_ynode *attrs)
{
    ctdl_values v = cx__ctdl_values(cred, "ceterms:creditValue");
    for (size_t i = 0; i < v.n; i++) {
        const cx_ynode *value = cx__ymap_get(v.v[i], "schema:value");
        const char *unit = cx__ctdl_credit_unit(x, cx__ymap_get(v.v[i], "ceterms:creditUnitType"));
        if (!value || value->kind != CX_YSCALAR || !unit) {
            cx__ctdl_report(x, v.v[i], "ceterms:creditValue",
                            "a credit value without one value and one unit: not imported");
            continue;
        }
        int rc;
        if (strcmp(unit, "clock_hour") == 0 || strcmp(unit, "contact_hour") == 0) {
            if (cx__ymap_get(out, "hours")) {
                cx__ctdl_report(x, value, "ceterms:creditValue", "a second value in hours");
                continue;
            }
            rc = cx__ctdl_put_text(x, out, "hours", value->text, value);
        } else {
            char key[96];
            snprintf(key, sizeof key, "credits_%s", unit);
            if (cx__ymap_get(attrs, key)) {
                cx__ctdl_report(x, value, "ceterms:creditValue", "a second value in %s", key);
                continue;
            }
            rc = cx__ctdl_put_text(x, attrs, key, value->text, value);
        }
        if (rc) return rc;
    }
    return CX_OK;
}

/* estimatedDuration: the exact duration, else minimum/maximum, as text. */
int cx__ctdl_estimated_duration(ctdl *x, const cx_ynode *cred, cx_ynode *attrs)
{
    ctdl_values v = cx__ctdl_values(cred, "ceterms:estimatedDuration");
    if (!v.n) return CX_OK;
    if (v.n > 1)
        cx__ctdl_report(x, v.v[1], "ceterms:estimatedDuration",
                        "a second estimated duration: the first is kept");
    const cx_ynode *exact = cx__ymap_get(v.v[0], "ceterms:exactDuration");
    const cx_ynode *lo = cx__ymap_get(v.v[0], "ceterms:minimumDuration");
    const cx_ynode *hi = cx__ymap_get(v.v[0], "ceterms:maximumDuration");
    char text[160];
    if (exact && exact->kind == CX_YSCALAR)
        snprintf(text, sizeof text, "%s", exact->text);
    else if (lo && hi && lo->kind == CX_YSCALAR && hi->kind == CX_YSCALAR)
        snprintf(text, sizeof text, "%s/%s", lo->text, hi->text);
    else {
        cx__ctdl_report(x, v.v[0], "ceterms:estimatedDuration",
                        "no exact duration, nor a minimum and a maximum: not imported");
        return CX_OK;
    }
    return cx__ctdl_put_text(x, attrs, "estimated_duration", text, v.v[0]);
}

/* renewalFrequency becomes valid_for when it has only Y, M, W and D parts. */
int cx__ctdl_renewal(ctdl *x, const cx_ynode *cred, cx_ynode *out)
{
    const cx_ynode *v = cx__ymap_get(cred, "ceterms:renewalFrequency");
    if (!v) return CX_OK;
    if (v->kind != CX_YSCALAR || v->text[0] != 'P' || strpbrk(v->text, "TS")) {
        cx__ctdl_report(x, v, "ceterms:renewalFrequency",
                        "not a duration of years, months, weeks or days: not imported");
        return CX_OK;
    }
    return cx__ctdl_put_text(x, out, "valid_for", v->text, v);
}

/* The minutes east of UTC of an instant's zone ("Z", "+05:30", "-0500"),
 * at s; 0 and *ok 0 when s is none of these. */
static int zone_minutes(const char *s, int *ok)
{
    *ok = 1;
    if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) return 0;
    if ((s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1]) &&
        isdigit((unsigned char)s[2])) {
        const char *m = s[3] == ':' ? s + 4 : s + 3;
        if (isdigit((unsigned char)m[0]) && isdigit((unsigned char)m[1]) && !m[2]) {
            int minutes =
                ((s[1] - '0') * 10 + (s[2] - '0')) * 60 + (m[0] - '0') * 10 + (m[1] - '0');
            return s[0] == '-' ? -minutes : minutes;
        }
    }
    *ok = 0;
    return 0;
}

/* The UTC calendar date of a date or an instant (YYYY-MM-DD, or
 * YYYY-MM-DDThh:mm[:ss[.f...]] with Z or an offset; without a zone, the
 * date it names), into out; 0, or -1 with *why when text is neither. */
static int utc_date(const char *text, char out[11], const char **why)
{
    char day[11];
    cx_date d;
    size_t n = strlen(text);
    *why = "expected YYYY-MM-DD or an instant YYYY-MM-DDThh:mm:ssZ";
    if (n < 10) return -1;
    memcpy(day, text, 10);
    day[10] = '\0';
    if (cx__date_parse(day, &d, why) != 0) return -1;
    *why = "expected YYYY-MM-DD or an instant YYYY-MM-DDThh:mm:ssZ";
    if (n > 10) {
        const char *t = text + 10;
        if ((*t != 'T' && *t != 't') || !isdigit((unsigned char)t[1]) ||
            !isdigit((unsigned char)t[2]) || t[3] != ':' || !isdigit((unsigned char)t[4]) ||
            !isdigit((unsigned char)t[5]))
            return -1;
        int minutes = ((t[1] - '0') * 10 + (t[2] - '0')) * 60 + (t[4] - '0') * 10 + (t[5] - '0');
        const char *zone = t + 6 + strspn(t + 6, "0123456789:.");
        int ok, east = zone_minutes(zone, &ok);
        if (!*zone)
            east = 0; /* no zone: the date as written */
        else if (!ok)
            return -1;
        minutes -= east;
        d += minutes < 0 ? -1 : minutes >= 24 * 60 ? 1 : 0;
    }
    cx__date_format(d, out);
    return 0;
}

/* A date key: the UTC calendar date of the date or instant it holds. */
int cx__ctdl_date(ctdl *x, const cx_ynode *cred, const char *key, const char *to, cx_ynode *out)
{
    const cx_ynode *v = cx__ymap_get(cred, key);
    char date[11];
    const char *why = "expected YYYY-MM-DD or an instant YYYY-MM-DDThh:mm:ssZ";
    if (!v) return CX_OK;
    if (v->kind != CX_YSCALAR || utc_date(v->text, date, &why) != 0)
        return cx__ctdl_fail(x, v, "invalid date '%s' for '%s': %s",
                             v->kind == CX_YSCALAR ? v->text : "", key, why);
    return cx__ctdl_put_text(x, out, to, date, v);
}
