/* One writer at a time per database file within this process, queued on a
 * mutex. SQLite's own wait for its write lock (the busy handler) polls with
 * sleeps of up to 100 ms, so under many writing threads a waiter keeps missing
 * the moments the lock is free and ingest latency grows to seconds; threads
 * that wait here are woken the moment the writer before them is done. Other
 * processes on the same file still meet SQLite's lock and busy handler.
 *
 * Unlike SQLite's lock the gate has no timeout, so lock order matters: a
 * grouping model's mutex (gaps/assign.c) is taken before the gate, and no code
 * inside a write transaction waits for a lock that a writer may hold. */
#ifndef AP_STORE_WRITE_GATE_H
#define AP_STORE_WRITE_GATE_H

struct ap_write_gate;

/* The gate of the database file at `path` (an absolute path, as
 * sqlite3_db_filename gives it), shared by every connection to it; NULL for
 * an empty path (in-memory and temporary databases have no other writer).
 * Each ap_write_gate_acquire is paired with one ap_write_gate_release. */
struct ap_write_gate *ap_write_gate_acquire(const char *path);
void ap_write_gate_release(struct ap_write_gate *gate);

/* Waits for, then holds, the file's write turn; ap_write_gate_leave ends it.
 * A NULL gate does nothing. */
void ap_write_gate_enter(struct ap_write_gate *gate);
void ap_write_gate_leave(struct ap_write_gate *gate);

#endif
