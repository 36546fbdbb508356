/*
 * csv_import.h -- the bulk path of CSV award lists (docs/interop.md, "CSV
 * award lists"): rows checked as they are read, held as holders and award
 * keys only, and read again while the registry writes them. Between the
 * catalog loader (catalog.c) and the CSV reader (csv_reader.h); no library.
 */
#ifndef CX_CSV_IMPORT_H
#define CX_CSV_IMPORT_H

#include <stddef.h>

#include "catalog.h"

/* Every CSV award list of one import, owned by its loader. */
typedef struct cx_csv_awards cx_csv_awards;

int cx__csv_awards_new(cx_catalog_loader *ld, cx_csv_awards **out, cx_error *err);
void cx__csv_awards_free(cx_csv_awards *all); /* accepts NULL */

/* Reads path if it is a CSV award list: *taken is 1 when it was (read,
 * checked, its holders in the model and its awards a stream of it), 0
 * when not. A file that is not regular (a pipe, a device) is read whole,
 * at most max_input_bytes: when it is not CSV it is handed back in *data
 * (malloc'd, NUL-terminated; the caller frees) and *len; else *data is
 * NULL and the caller reads path itself. */
int cx__csv_awards_add_file(cx_csv_awards *all, const char *path, int *taken, char **data,
                            size_t *len, cx_error *err);

/* The award ids of the model's holders [from, to) (another format's,
 * read after a CSV list) must not be a CSV row's. */
int cx__csv_awards_check_ids(cx_csv_awards *all, size_t from, size_t to, cx_error *err);

/* Resolves the references of CSV list number stream (the credentials and
 * jurisdictions its rows name), at its place among the loader's
 * references; with skip_invalid a row naming an unknown one is left out
 * and reported. */
int cx__csv_awards_resolve(cx_csv_awards *all, size_t stream, cx_error *err);

/* Grades of rows whose credential this import defines with a grade scale
 * must be on it (as the loader checks its own awards). */
int cx__csv_awards_check_grades(cx_csv_awards *all, cx_error *err);

/* A row with no expires whose credential's valid_for (vf: id -> valid_for,
 * "" for none, filled through cx__catalog_valid_for) would take it past
 * 9999-12-31 is refused (or left out), as the loader's own awards are. A
 * list is read again only when its latest such row could overflow. */
int cx__csv_awards_check_expiry(cx_csv_awards *all, cx_strmap *vf, cx_error *err);

/* Takes note of the holders the loader left out whole (rows_kept 0),
 * before it drops them from the model. */
int cx__csv_awards_settle(cx_csv_awards *all, cx_error *err);

/* ------------------------------------------------------------------------
 * What csv_import.c asks of the loader (implemented in catalog.c). */

const cx_import_options *cx__catalog_options(const cx_catalog_loader *ld);
cx_catalog *cx__catalog_model(cx_catalog_loader *ld);

/* A new holder of the model (zeroed), or NULL when out of memory; it may
 * move when the next one is made. */
cx_cat_holder *cx__catalog_new_holder(cx_catalog_loader *ld);

/* Adds a stream to the model; marks its references' place among the
 * loader's (resolved through cx__csv_awards_resolve). */
int cx__catalog_add_stream(cx_catalog_loader *ld, const cx_cat_stream *s, size_t number,
                           cx_error *err);

/* Checks the award row (a map of the row's non-empty cells, each located
 * at its line and column name) as the loader checks an award, its values
 * only: no reference is recorded (its credential is not even checked as
 * an id) and no id given. a points into row. */
int cx__catalog_check_award(cx_catalog_loader *ld, const char *file, const cx_ynode *row,
                            cx_cat_award *a, cx_error *err);

/* Checks the scalar n, the value of key, as an id. */
int cx__catalog_check_id(cx_catalog_loader *ld, const char *file, const cx_ynode *n,
                         const char *key, cx_error *err);

/* Resolves id (of kind), referred to at loc, as the loader resolves its
 * own references: CX_OK, or the located error ("did you mean"). */
/* *out: the valid_for of credential id (this import's, else the
 * registry's; "" for none), remembered in vf. */
int cx__catalog_valid_for(cx_catalog_loader *ld, cx_strmap *vf, const char *id, const char **out,
                          cx_error *err);
int cx__catalog_resolve(cx_catalog_loader *ld, cx_kind kind, const char *id, const cx_loc *loc,
                        cx_error *err);

/* 1 when this import defines anything of kind so far. */
int cx__catalog_defines(const cx_catalog_loader *ld, cx_kind kind);

/* Where id (of kind) is defined in this import, or NULL. */
const cx_loc *cx__catalog_defined(const cx_catalog_loader *ld, cx_kind kind, const char *id);

/* Leaves an item out for the error in err: counted, reported, err cleared. */
void cx__catalog_skip(cx_catalog_loader *ld, cx_error *err);

#endif
