/* The per-file write gates: a list of gates, one per database path, each
 * counted by the connections that use it and freed with the last. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "store/write_gate.h"

struct ap_write_gate {
  struct ap_write_gate *next;
  char *path;
  unsigned users;
  pthread_mutex_t turn;
};

static pthread_mutex_t gates_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ap_write_gate *gates;

struct ap_write_gate *ap_write_gate_acquire(const char *path) {
  if (path == NULL || path[0] == '\0')
    return NULL;
  pthread_mutex_lock(&gates_lock);
  struct ap_write_gate *g = gates;
  while (g && strcmp(g->path, path) != 0)
    g = g->next;
  if (g == NULL) {
    g = ap_calloc(1, sizeof *g);
    g->path = ap_strdup(path);
    pthread_mutex_init(&g->turn, NULL);
    g->next = gates;
    gates = g;
  }
  g->users++;
  pthread_mutex_unlock(&gates_lock);
  return g;
}

void ap_write_gate_release(struct ap_write_gate *gate) {
  if (gate == NULL)
    return;
  pthread_mutex_lock(&gates_lock);
  if (--gate->users == 0) {
    struct ap_write_gate **link = &gates;
    while (*link != gate)
      link = &(*link)->next;
    *link = gate->next;
    pthread_mutex_destroy(&gate->turn);
    free(gate->path);
    free(gate);
  }
  pthread_mutex_unlock(&gates_lock);
}

void ap_write_gate_enter(struct ap_write_gate *gate) {
  if (gate)
    pthread_mutex_lock(&gate->turn);
}

void ap_write_gate_leave(struct ap_write_gate *gate) {
  if (gate)
    pthread_mutex_unlock(&gate->turn);
}
