/*
 * loop_csv.c -- the baseline of bench_1m.sh (issue 16): a hand-written C
 * loop that reads gen_peer's award CSV with stdio, groups the rows by
 * holder (the file is in holder order) and decides stack C8 by hand, as a
 * plain program would. Plain C11, no credex code; it times itself.
 *
 *   loop_csv AWARDS.csv
 *
 * The rule, with credex's semantics (docs/rules.md; quick.c): an award
 * counts when it is issued on or before the as-of date 2026-06-01, in the
 * 5 years before it (recent P5Y: on or after 2021-06-01) and has not
 * expired (issued + 4 years, the catalog's valid_for, on or after the
 * as-of date). Met: C1 and C2, two of C3-C6 and 120 hours over every
 * counted award of C1-C6 (hours 20 + 3c); in_progress: some award of
 * C1-C6 counts; not_started otherwise. stdout: "counts: met M in_progress
 * P not_started Q" and "loop: H holders, A awards, S s". Exit 3 on a row
 * it cannot read (file:line), 2 on usage.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#define AS_OF      20260601L /* yyyymmdd */
#define WINDOW_Y   5         /* recent P5Y */
#define VALID_Y    4         /* valid_for P4Y */
#define MAX_LINE   256
#define MAX_HOLDER 64

/* The awards of the holder being read, as the rule needs them. */
typedef struct holder_state {
    char id[MAX_HOLDER];
    int has[7];   /* has[c]: a counted award of Cc, c = 1..6 */
    int hours;    /* over every counted award of C1-C6 */
    int any;      /* some counted award of C1-C6 */
    int nonempty; /* id holds a holder */
} holder_state;

typedef struct loop_counts {
    unsigned long met, in_progress, not_started, holders, awards;
} loop_counts;

/* The first issue date the recent window counts, yyyymmdd (set once). */
static long window_start;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int month_days(long y, long m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* y-m-d plus whole years as yyyymmdd (the 29th of February of a year that
 * has none is the 28th). */
static long plus_years(long y, long m, long d, long years)
{
    long dd = d > month_days(y + years, m) ? month_days(y + years, m) : d;
    return (y + years) * 10000 + m * 100 + dd;
}

static void finish_holder(holder_state *h, loop_counts *c)
{
    if (!h->nonempty) return;
    c->holders++;
    if (h->has[1] && h->has[2] && h->has[3] + h->has[4] + h->has[5] + h->has[6] >= 2 &&
        h->hours >= 120)
        c->met++;
    else if (h->any)
        c->in_progress++;
    else
        c->not_started++;
}

/* "YYYY-MM-DD" at s (10 characters) into y, m, d; -1 when it is not one. */
static int parse_date(const char *s, long *y, long *m, long *d)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return -1;
    *y = (s[0] - '0') * 1000L + (s[1] - '0') * 100L + (s[2] - '0') * 10L + (s[3] - '0');
    *m = (s[5] - '0') * 10L + (s[6] - '0');
    *d = (s[8] - '0') * 10L + (s[9] - '0');
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m) ? 0 : -1;
}

/* One row "holder,Cn,YYYY-MM-DD": starts a new holder when the id
 * changes, then adds the award if it counts. -1 when the row is not one. */
static int read_row(char *line, holder_state *h, loop_counts *c)
{
    char *comma = strchr(line, ','), *cred, *date;
    long y, m, d, cn = 0;
    if (!comma || comma - line >= MAX_HOLDER) return -1;
    *comma = '\0';
    cred = comma + 1;
    if (cred[0] != 'C') return -1;
    for (date = cred + 1; *date >= '0' && *date <= '9'; date++) cn = cn * 10 + (*date - '0');
    if (date == cred + 1 || *date != ',' || parse_date(date + 1, &y, &m, &d) != 0) return -1;
    if (date[11] != '\n' && date[11] != '\0' && !(date[11] == '\r' && date[12] == '\n')) return -1;
    if (!h->nonempty || strcmp(line, h->id) != 0) {
        if (h->nonempty && strcmp(line, h->id) < 0) return -1; /* not in holder order */
        finish_holder(h, c);
        memset(h, 0, sizeof *h);
        strcpy(h->id, line);
        h->nonempty = 1;
    }
    c->awards++;
    long issued = y * 10000 + m * 100 + d;
    if (cn < 1 || cn > 6 || issued > AS_OF) return 0;
    if (issued < window_start) return 0;
    if (plus_years(y, m, d, VALID_Y) < AS_OF) return 0;
    h->has[cn] = 1;
    h->hours += 20 + 3 * (int)cn;
    h->any = 1;
    return 0;
}

int main(int argc, char **argv)
{
    static holder_state h;
    loop_counts c = {0, 0, 0, 0, 0};
    char line[MAX_LINE];
    unsigned long lineno = 1;
    if (argc != 2) {
        fprintf(stderr, "usage: loop_csv AWARDS.csv\n");
        return 2;
    }
    double t0 = now();
    window_start = plus_years(AS_OF / 10000, AS_OF / 100 % 100, AS_OF % 100, -WINDOW_Y);
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 3;
    }
    if (!fgets(line, sizeof line, f) || strncmp(line, "holder,credential,issued", 24) != 0) {
        fprintf(stderr, "loop_csv: %s:1: expected the header holder,credential,issued\n", argv[1]);
        fclose(f);
        return 3;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (read_row(line, &h, &c) != 0) {
            fprintf(stderr, "loop_csv: %s:%lu: expected holder,Cn,YYYY-MM-DD in holder order\n",
                    argv[1], lineno);
            fclose(f);
            return 3;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "loop_csv: %s: read error\n", argv[1]);
        return 3;
    }
    finish_holder(&h, &c);
    double t1 = now();
    printf("counts: met %lu in_progress %lu not_started %lu\n", c.met, c.in_progress,
           c.not_started);
    printf("loop: %lu holders, %lu awards, %.3f s\n", c.holders, c.awards, t1 - t0);
    return 0;
}
