/*
 * render_next.c -- the steps of `credex next` as JSON Lines (docs/json.md,
 * "next") and as text. It renders what cx_next found and decides nothing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "render.h"
#include "util.h"

/* Hundredths as a JSON number: an integer when whole, else a decimal
 * (at most 15 significant digits: JSON_REAL_PRECISION(15) prints them back). */
static json_t *number(int64_t hundredths)
{
    if (hundredths % 100 == 0) return json_integer(hundredths / 100);
    return json_real((double)hundredths / 100.0);
}

static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *text(const char *s)
{
    return cx__json_text(s, strlen(s)); /* invalid UTF-8: U+FFFD */
}

static json_t *credential_json(const cx_next_credential *c)
{
    json_t *o = json_object();
    int bad = !o || put(o, "credential", text(c->id)) || put(o, "name", text(c->name));
    if (!bad && c->hours != CX_NO_NUMBER) bad = put(o, "hours", number(c->hours));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *cx_next_step_json(const cx_next_step *s)
{
    json_t *o = json_object(), *add = json_array(), *missing = json_array();
    int bad = !o || !add || !missing;
    for (size_t i = 0; !bad && i < s->nadd; i++) {
        json_t *c = credential_json(&s->add[i]);
        bad = !c || json_array_append_new(add, c);
    }
    for (size_t i = 0; !bad && i < s->nmissing; i++) {
        json_t *m = text(s->missing[i]);
        bad = !m || json_array_append_new(missing, m);
    }
    bad = bad || put(o, "kind", json_string("next")) || put(o, "holder", text(s->holder)) ||
          put(o, "stack", text(s->stack)) || (s->name && put(o, "name", text(s->name))) ||
          put(o, "as_of", json_string(s->as_of)) ||
          put(o, "rank", json_integer((json_int_t)s->rank)) ||
          put(o, "status", json_string(cx_status_name(s->status))) ||
          put(o, "credentials", json_integer((json_int_t)s->nadd)) ||
          put(o, "hours", number(s->hours)) || json_object_set(o, "add", add) ||
          json_object_set(o, "missing", missing);
    char *line =
        bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    json_decref(add);
    json_decref(missing);
    if (!line) return NULL;
    size_t n = strlen(line);
    char *out = realloc(line, n + 2);
    if (!out) {
        free(line);
        return NULL;
    }
    memcpy(out + n, "\n", 2);
    return out;
}

/* "1. STACK (NAME), STATUS: N credentials, H hours", then "   add ID
 * (NAME, H hours)" per credential and "   missing now: A; B". */
char *cx_next_step_text(const cx_next_step *s)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "%zu. ", s->rank);
    cx__text_put(&b, s->stack);
    if (s->name) {
        cx__buf_puts(&b, " (");
        cx__text_put(&b, s->name);
        cx__buf_puts(&b, ")");
    }
    cx__buf_printf(&b, ", %s: %zu credential%s, ", cx_status_name(s->status), s->nadd,
                   s->nadd == 1 ? "" : "s");
    cx__buf_hundredths(&b, s->hours);
    cx__buf_puts(&b, s->hours == 100 ? " hour" : " hours");
    cx__buf_puts(&b, "\n");
    for (size_t i = 0; i < s->nadd; i++) {
        cx__buf_puts(&b, "   add ");
        cx__text_put(&b, s->add[i].id);
        cx__buf_puts(&b, " (");
        cx__text_put(&b, s->add[i].name);
        if (s->add[i].hours != CX_NO_NUMBER) {
            cx__buf_puts(&b, ", ");
            cx__buf_hundredths(&b, s->add[i].hours);
            cx__buf_puts(&b, s->add[i].hours == 100 ? " hour" : " hours");
        }
        cx__buf_puts(&b, ")\n");
    }
    for (size_t i = 0; i < s->nmissing; i++) {
        cx__buf_puts(&b, i ? "; " : "   missing now: ");
        cx__text_put(&b, s->missing[i]);
    }
    if (s->nmissing) cx__buf_puts(&b, "\n");
    if (b.oom) {
        cx__buf_free(&b);
        return NULL;
    }
    return b.data; /* the buffer's memory, now the caller's */
}
