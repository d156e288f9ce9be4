/* Constructors of the storage backends, for store.c's scheme table only. */
#ifndef AP_STORE_BACKENDS_H
#define AP_STORE_BACKENDS_H

#include "store/store.h"

enum ap_status ap_sqlite_open(const char *path, struct ap_store **out, struct ap_error *err);
/* url is the whole libpq connection URL, scheme included. */
enum ap_status ap_pg_open(const char *url, struct ap_store **out, struct ap_error *err);

/* A numbered migration, embedded from src/store/migrations/<backend>/NNN_name.sql. */
struct ap_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct ap_migration ap_sqlite_migrations[];
extern const size_t ap_sqlite_migration_count;
extern const struct ap_migration ap_pg_migrations[];
extern const size_t ap_pg_migration_count;

#endif
