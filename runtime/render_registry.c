/*
 * render_registry.c -- JSON of the registry's own records: the import
 * history of `credex log --imports` (docs/json.md, "import_record"). It
 * renders what it is given; it never reads the registry.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "render.h"

/* Sets key of o to v (a new reference, NULL when out of memory). */
static void set(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v) != 0) *bad = 1;
}

/* A string member, null when s is NULL. */
static void set_str(json_t *o, const char *key, const char *s, int *bad)
{
    set(o, key, s ? cx__json_text(s, strlen(s)) : json_null(), bad);
}

static json_t *files_json(const cx_import_record *rec, int *bad)
{
    json_t *files = json_array();
    if (!files) {
        *bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < rec->nfiles; i++) {
        const cx_import_file *f = &rec->files[i];
        json_t *o = json_object();
        if (!o || json_array_append_new(files, o) != 0) {
            *bad = 1;
            break;
        }
        set_str(o, "path", f->path, bad);
        set_str(o, "sha256", f->sha256, bad);
        set(o, "bytes", f->bytes >= 0 ? json_integer(f->bytes) : json_null(), bad);
    }
    return files;
}

char *cx_import_record_json(const cx_import_record *rec)
{
    static const char *const kinds[CX_KIND_AWARD + 1] = {
        "jurisdictions", "groups",      "providers", "frameworks",
        "competencies",  "credentials", "holders",   "awards"};
    int bad = 0;
    json_t *o = json_object(), *defined = json_object();
    if (!o || !defined) {
        json_decref(o);
        json_decref(defined);
        return NULL;
    }
    set_str(o, "kind", "import_record", &bad);
    set(o, "id", json_integer(rec->id), &bad);
    set_str(o, "created", rec->created, &bad);
    set_str(o, "type", rec->kind, &bad);
    set_str(o, "user", rec->user, &bad);
    set(o, "content_version", json_integer(rec->content_version), &bad);
    for (int k = 0; k <= CX_KIND_AWARD; k++)
        set(defined, kinds[k], json_integer(rec->count[k]), &bad);
    set(o, "defined", defined, &bad);
    set(o, "exceptions", json_integer(rec->exceptions), &bad);
    set(o, "removals", json_integer(rec->removals), &bad);
    set(o, "tables_hashed", json_integer(rec->tables_hashed), &bad);
    set_str(o, "digest", rec->digest, &bad);
    set_str(o, "credex_version", rec->credex_version, &bad);
    set(o, "files", files_json(rec, &bad), &bad);
    char *text = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text) return NULL;
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    return line;
}
