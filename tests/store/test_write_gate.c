/* Tests of src/store/write_gate.c and its use by the SQLite backend: one gate
 * per database file, writers of one process take turns on it, and none of
 * their transactions is refused or lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account/account.h"
#include "store/store.h"
#include "store/write_gate.h"

static char db_path[4096];
static char db_url[4200];

static int setup(void **state) {
  (void)state;
  static unsigned counter;
  const char *dir = getenv("AP_TEST_TMP");
  snprintf(db_path, sizeof db_path, "%s/write-gate-%ld-%u.db",
           dir && *dir ? dir : "/tmp", (long)getpid(), counter++);
  snprintf(db_url, sizeof db_url, "sqlite:%s", db_path);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char side[4300];
  unlink(db_path);
  snprintf(side, sizeof side, "%s-wal", db_path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", db_path);
  unlink(side);
  return 0;
}

static struct ap_store *open_store(void) {
  struct ap_store *s = NULL;
  struct ap_error err;
  if (ap_store_open(db_url, &s, &err) != AP_OK)
    fail_msg("cannot open %s: %s", db_url, err.message);
  return s;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static void test_gates_are_shared_per_file(void **state) {
  (void)state;
  struct ap_write_gate *a = ap_write_gate_acquire("/srv/a.db");
  struct ap_write_gate *a2 = ap_write_gate_acquire("/srv/a.db");
  struct ap_write_gate *b = ap_write_gate_acquire("/srv/b.db");
  assert_non_null(a);
  assert_ptr_equal(a, a2);
  assert_ptr_not_equal(a, b);
  assert_null(ap_write_gate_acquire(""));
  assert_null(ap_write_gate_acquire(NULL));
  ap_write_gate_release(a2);
  /* still held by its first user: the same gate again */
  struct ap_write_gate *a3 = ap_write_gate_acquire("/srv/a.db");
  assert_ptr_equal(a, a3);
  ap_write_gate_release(a3);
  ap_write_gate_release(a);
  ap_write_gate_release(b);
  ap_write_gate_enter(NULL); /* no gate: nothing to wait for */
  ap_write_gate_leave(NULL);
}

struct second_writer {
  atomic_int *first_done;
  int seen_first_done; /* what the second writer saw when its turn came */
  enum ap_status begin_rc;
};

static void *second_writer(void *arg) {
  struct second_writer *w = arg;
  struct ap_store *s = open_store();
  struct ap_error err;
  w->begin_rc = ap_store_begin(s, &err);
  w->seen_first_done = atomic_load(w->first_done);
  if (w->begin_rc == AP_OK)
    w->begin_rc = ap_store_commit(s, &err);
  ap_store_destroy(s);
  return NULL;
}

/* A second connection's transaction starts only once the first one ended, and
 * it is not refused for having waited. */
static void test_a_writer_waits_for_the_one_before(void **state) {
  (void)state;
  struct ap_store *first = open_store();
  struct ap_error err;
  atomic_int first_done = 0;
  assert_int_equal(ap_store_begin(first, &err), AP_OK);
  struct second_writer w = {&first_done, -1, AP_STORAGE};
  pthread_t thread;
  pthread_create(&thread, NULL, second_writer, &w);
  sleep_ms(200);
  atomic_store(&first_done, 1);
  assert_int_equal(ap_store_commit(first, &err), AP_OK);
  pthread_join(thread, NULL);
  assert_int_equal(w.begin_rc, AP_OK);
  assert_int_equal(w.seen_first_done, 1);
  ap_store_destroy(first);
}

/* A rolled-back transaction and a store destroyed inside one both let the
 * next writer in. */
static void test_rollback_and_destroy_end_the_turn(void **state) {
  (void)state;
  struct ap_store *a = open_store();
  struct ap_store *b = open_store();
  struct ap_error err;
  assert_int_equal(ap_store_begin(a, &err), AP_OK);
  ap_store_rollback(a);
  assert_int_equal(ap_store_begin(b, &err), AP_OK);
  ap_store_destroy(b); /* inside its transaction */
  assert_int_equal(ap_store_begin(a, &err), AP_OK);
  assert_int_equal(ap_store_commit(a, &err), AP_OK);
  ap_store_destroy(a);
}

enum { WRITERS = 6, TRANSACTIONS = 60 };

struct writer {
  int index;
  int failures;
};

struct add_account_ctx {
  const char *name;
};

static enum ap_status add_account_txn(struct ap_store *s, void *ctx,
                                      struct ap_error *err) {
  struct ap_account a;
  ap_account_init(&a, ((struct add_account_ctx *)ctx)->name);
  a.created_at_us = ap_time_now_us();
  return ap_store_insert_account(s, &a, err);
}

static void *many_transactions(void *arg) {
  struct writer *w = arg;
  struct ap_store *s = open_store();
  for (int i = 0; i < TRANSACTIONS; i++) {
    char name[64];
    snprintf(name, sizeof name, "writer-%d-%d", w->index, i);
    struct add_account_ctx ctx = {name};
    struct ap_error err;
    if (ap_store_transact(s, add_account_txn, &ctx, &err) != AP_OK)
      w->failures++;
  }
  ap_store_destroy(s);
  return NULL;
}

static void test_many_writers_lose_nothing(void **state) {
  (void)state;
  ap_store_destroy(open_store()); /* migrations once, before the writers */
  pthread_t threads[WRITERS];
  struct writer writers[WRITERS];
  for (int t = 0; t < WRITERS; t++) {
    writers[t] = (struct writer){t, 0};
    pthread_create(&threads[t], NULL, many_transactions, &writers[t]);
  }
  for (int t = 0; t < WRITERS; t++)
    pthread_join(threads[t], NULL);
  struct ap_store *s = open_store();
  for (int t = 0; t < WRITERS; t++) {
    assert_int_equal(writers[t].failures, 0);
    for (int i = 0; i < TRANSACTIONS; i++) {
      char name[64];
      snprintf(name, sizeof name, "writer-%d-%d", t, i);
      struct ap_account a;
      struct ap_error err;
      assert_int_equal(ap_store_get_account_by_name(s, name, &a, &err), AP_OK);
    }
  }
  ap_store_destroy(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gates_are_shared_per_file),
      cmocka_unit_test_setup_teardown(test_a_writer_waits_for_the_one_before,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback_and_destroy_end_the_turn,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_writers_lose_nothing, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
