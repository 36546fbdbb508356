/*
 * registry_backup.c -- `credex backup`: a copy of the registry file made
 * with SQLite's online backup API, written beside its destination and
 * renamed onto it. It reads the source in one transaction; it never
 * changes the source.
 */
#include "registry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Copies every page of r into the new file tmp in one step, so the copy
 * is one consistent read of r however others write it meanwhile (in WAL
 * mode writers go on; a step-by-step copy would restart at each write). */
static int copy_pages(cx_registry *r, const char *tmp, const char *dest, cx_error *err)
{
    sqlite3 *db = NULL;
    int rc = CX_OK;
    if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = cx__error(err, CX_EREGISTRY, dest, 0, 0, "cannot create the backup: %s",
                       db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_backup *b = sqlite3_backup_init(db, "main", r->db, "main");
    if (!b) {
        rc = cx__error(err, CX_EREGISTRY, dest, 0, 0, "cannot start the backup: %s",
                       sqlite3_errmsg(db));
        goto done;
    }
    int step = sqlite3_backup_step(b, -1);
    if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE)
        rc = cx__error(err, CX_EREGISTRY, dest, 0, 0, "cannot copy the registry: %s",
                       sqlite3_errmsg(db));
done:
    if (db && sqlite3_close(db) != SQLITE_OK && !rc)
        rc = cx__error(err, CX_EREGISTRY, dest, 0, 0, "cannot close the backup");
    return rc;
}

/* Flushes the finished copy to disk before it takes dest's name. */
static int sync_file(const char *path, const char *dest, cx_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int saved = errno;
        if (fd >= 0) close(fd);
        return cx__error(err, CX_EREGISTRY, dest, 0, 0, "cannot write the backup: %s",
                         strerror(saved));
    }
    close(fd);
    return CX_OK;
}

/* Gives the copy dest's name. Without replace, link() never replaces a
 * FILE that appeared meanwhile (rename, where links are not supported). */
static int put_in_place(const char *tmp, const char *dest, int replace, cx_error *err)
{
    if (!replace && link(tmp, dest) == 0) return CX_OK;
    if (!replace && errno == EEXIST)
        return cx__error(err, CX_EUSAGE, dest, 0, 0,
                         "already exists; --force replaces it with the backup");
    if (rename(tmp, dest) == 0) return CX_OK;
    return cx__error(err, CX_EREGISTRY, dest, 0, 0, "cannot put the backup in place: %s",
                     strerror(errno));
}

static int backup(cx_registry *r, const char *dest, int replace, cx_error *err)
{
    struct stat st;
    int rc = CX_OK;
    if (r->memory)
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "an in-memory registry has no file to back up");
    if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
        return cx__error(err, CX_EUSAGE, dest, 0, 0,
                         "is a directory; the backup is a file (give its name)");
    if (!replace && stat(dest, &st) == 0)
        return cx__error(err, CX_EUSAGE, dest, 0, 0,
                         "already exists; --force replaces it with the backup");
    size_t size = strlen(dest) + 32;
    char *tmp = malloc(size);
    if (!tmp) return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    snprintf(tmp, size, "%s.tmp-%ld", dest, (long)getpid());
    unlink(tmp);
    rc = copy_pages(r, tmp, dest, err);
    if (!rc) rc = sync_file(tmp, dest, err);
    if (!rc) rc = put_in_place(tmp, dest, replace, err);
    unlink(tmp); /* gone already when renamed */
    free(tmp);
    return rc;
}

int cx_registry_backup(cx_registry *r, const char *dest, int replace, cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, backup(r, dest, replace, err));
}
