/*
 * graph_svg.c -- DOT to SVG through Graphviz's library, in-process (cgraph
 * reads, gvc lays out with "dot" and renders "svg"; no `dot` subprocess).
 * The only file that includes Graphviz's headers; it knows nothing of
 * credentials. Graphviz keeps global state, so one layout runs at a time;
 * objects get ids in the order read, so the same DOT gives the same SVG.
 */
#include "graph.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "util.h"

#ifndef CREDEX_GRAPHVIZ_PLUGINS /* set by CMakeLists.txt from libgvc.pc */
#error "CREDEX_GRAPHVIZ_PLUGINS must name Graphviz's plugin folder"
#endif
#ifndef CREDEX_GRAPHVIZ_PLUGIN_VERSION
#error "CREDEX_GRAPHVIZ_PLUGIN_VERSION must name the plugins' version (libgvc.pc: plugins)"
#endif

/* The two plugins a layout needs: "core" renders SVG, "dot_layout" lays
 * out. Loaded from their files rather than through Graphviz's config6a,
 * so that no text-layout plugin (gd, pango: FreeType and the machine's
 * fonts) is ever loaded: text is measured by Graphviz's built-in metrics
 * and the same DOT gives the same SVG on every machine. Loaded once and
 * kept for the life of the process, under lock. */
static const char *const plugin_names[] = {"core", "dot_layout"};
static pthread_mutex_t layout_lock = PTHREAD_MUTEX_INITIALIZER;
static lt_symlist_t plugins[CX_COUNT(plugin_names) + 1];
static char graphviz_error[512]; /* what Graphviz said last, under layout_lock */

static int on_graphviz_error(char *message)
{
    size_t used = strlen(graphviz_error);
    snprintf(graphviz_error + used, sizeof graphviz_error - used, "%s", message);
    return 0;
}

static int load_plugins(cx_error *err)
{
    static char symbols[CX_COUNT(plugin_names)][64];
    for (size_t i = 0; i < CX_COUNT(plugin_names); i++) {
        if (plugins[i].address) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/libgvplugin_%s.so.%s", CREDEX_GRAPHVIZ_PLUGINS,
                 plugin_names[i], CREDEX_GRAPHVIZ_PLUGIN_VERSION);
        snprintf(symbols[i], sizeof symbols[i], "gvplugin_%s_LTX_library", plugin_names[i]);
        void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        void *sym = lib ? dlsym(lib, symbols[i]) : NULL;
        if (!sym)
            return cx__error(err, CX_EINPUT, path, 0, 0,
                             "cannot load Graphviz's %s plugin (%s); SVG needs Debian's libgvc6",
                             plugin_names[i], lib ? "no library symbol" : dlerror());
        plugins[i].name = symbols[i];
        plugins[i].address = sym;
    }
    return CX_OK;
}

/* Object ids in the order objects are made. cgraph's default id
 * discipline makes a named object's id the address of its interned name,
 * and orders subgraphs (clusters) by id: the order clusters are written
 * in would follow the heap. Here the n-th name made gets id 2n and
 * anonymous objects (edges) odd ids, counted per graph; a hash table finds
 * a name's id, and everything goes with the graph (its cgraph's internal
 * map, which would keep a name it is given forever, is never used). */
typedef struct names {
    char **name;      /* by id / 2 - 1 */
    size_t n, cap;    /* names made; room in name */
    uint32_t *slot;   /* open addressing: index + 1 into name, 0 empty */
    size_t nslots;    /* a power of two, at least twice n */
    IDTYPE anonymous; /* the next odd id */
} names;

static size_t name_hash(const char *s)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of name s: where it is, or the empty slot where it would go. */
static uint32_t *name_slot(const names *t, const char *s)
{
    size_t i = name_hash(s) & (t->nslots - 1);
    while (t->slot[i] && strcmp(t->name[t->slot[i] - 1], s) != 0) i = (i + 1) & (t->nslots - 1);
    return &t->slot[i];
}

static int names_grow(names *t)
{
    size_t nslots = t->nslots ? 2 * t->nslots : 64, cap = nslots / 2;
    uint32_t *slot = calloc(nslots, sizeof *slot);
    char **name = realloc(t->name, cap * sizeof *name);
    if (!slot || !name) {
        free(slot);
        if (name) t->name = name;
        return -1;
    }
    t->name = name;
    t->cap = cap;
    free(t->slot);
    t->slot = slot;
    t->nslots = nslots;
    for (size_t i = 0; i < t->n; i++) *name_slot(t, t->name[i]) = (uint32_t)i + 1;
    return 0;
}

static void *ids_open(Agraph_t *g, Agdisc_t *disc)
{
    (void)g, (void)disc;
    names *t = calloc(1, sizeof *t);
    if (t && names_grow(t) != 0) free(t), t = NULL;
    if (t) t->anonymous = 1;
    return t;
}

static long ids_map(void *state, int objtype, char *name, IDTYPE *id, int createflag)
{
    names *t = state;
    (void)objtype;
    if (!t) return 0;
    if (!name) {
        *id = t->anonymous;
        t->anonymous += 2;
        return 1;
    }
    uint32_t *slot = name_slot(t, name);
    if (*slot) {
        *id = (IDTYPE)*slot * 2;
        return 1;
    }
    if (!createflag) return 0;
    if (t->n + 1 > t->cap && names_grow(t) != 0) return 0;
    char *copy = cx__strdup(name);
    if (!copy) return 0;
    t->name[t->n++] = copy;
    *(slot = name_slot(t, name)) = (uint32_t)t->n;
    *id = (IDTYPE)t->n * 2;
    return 1;
}

static long ids_alloc(void *state, int objtype, IDTYPE id)
{
    (void)state, (void)objtype, (void)id;
    return 0; /* no object is made with an id of the caller's */
}

static void ids_free(void *state, int objtype, IDTYPE id)
{
    (void)state, (void)objtype, (void)id; /* a name lives as long as the graph */
}

static char *ids_print(void *state, int objtype, IDTYPE id)
{
    const names *t = state;
    (void)objtype;
    return id % 2 == 0 && id / 2 >= 1 && id / 2 <= t->n ? t->name[id / 2 - 1] : NULL;
}

static void ids_close(void *state)
{
    names *t = state;
    for (size_t i = 0; t && i < t->n; i++) free(t->name[i]);
    if (t) free(t->name), free(t->slot);
    free(t);
}

static void ids_register(void *state, int objtype, void *obj)
{
    (void)state, (void)objtype, (void)obj;
}

static Agiddisc_t creation_order = {ids_open,  ids_map,   ids_alloc,   ids_free,
                                    ids_print, ids_close, ids_register};

/* DOT from memory, a line at a time (as cgraph's own readers hand it). */
typedef struct dot_reader {
    const char *p;
    size_t left;
} dot_reader;

static int read_line(void *chan, char *buf, int size)
{
    dot_reader *rd = chan;
    size_t n = 0;
    while (n + 1 < (size_t)size && n < rd->left && (n == 0 || rd->p[n - 1] != '\n')) n++;
    memcpy(buf, rd->p, n);
    buf[n] = '\0';
    rd->p += n;
    rd->left -= n;
    return (int)n;
}

static Agraph_t *read_dot(const char *dot)
{
    static Agiodisc_t io;
    io.afread = read_line;
    io.putstr = AgIoDisc.putstr;
    io.flush = AgIoDisc.flush;
    Agdisc_t disc = {&AgMemDisc, &creation_order, &io};
    dot_reader rd = {dot, strlen(dot)};
    return agread(&rd, &disc);
}

/* Lays out and renders under layout_lock; *svg is Graphviz's (gvFreeRenderData). */
static int render(const char *dot, char **svg, unsigned *n, cx_error *err)
{
    GVC_t *gvc = NULL;
    Agraph_t *g = NULL;
    int laid = 0, rc = load_plugins(err);
    if (rc) return rc;
    graphviz_error[0] = '\0';
    agusererrf saved = agseterrf(on_graphviz_error);
    agseterr(AGERR); /* errors only: warnings are not failures */
    if (!(gvc = gvContextPlugins(plugins, 0))) {
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    if (!(g = read_dot(dot))) {
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0, "Graphviz cannot read the map: %s",
                       graphviz_error[0] ? graphviz_error : "syntax error");
        goto done;
    }
    if (gvLayout(gvc, g, "dot") != 0) {
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0, "Graphviz cannot lay out the map: %s",
                       graphviz_error[0] ? graphviz_error : "layout failed");
        goto done;
    }
    laid = 1;
    if (gvRenderData(gvc, g, "svg", svg, n) != 0 || !*svg)
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0, "Graphviz cannot render the map as SVG: %s",
                       graphviz_error[0] ? graphviz_error : "rendering failed");
done:
    if (laid) gvFreeLayout(gvc, g);
    if (g) agclose(g);
    if (gvc) gvFreeContext(gvc);
    agseterrf(saved);
    return rc;
}

int cx__graph_layout_svg(const char *dot, size_t len, char **out, size_t *outlen, cx_error *err)
{
    char *svg = NULL;
    unsigned n = 0;
    *out = NULL;
    *outlen = 0;
    if (memchr(dot, '\0', len))
        return cx__error(err, CX_EINPUT, NULL, 0, 0, "the map holds a NUL byte");
    pthread_mutex_lock(&layout_lock);
    int rc = render(dot, &svg, &n, err);
    if (rc == CX_OK && !(*out = cx__strndup(svg, n)))
        rc = cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (svg) gvFreeRenderData(svg);
    pthread_mutex_unlock(&layout_lock);
    if (rc == CX_OK) *outlen = n;
    return rc;
}
