/* Request-head deadlines: a registry of the open connections and a thread
 * that shuts down the socket of any connection whose head is late. Shutting
 * the socket down (not closing it) makes the library see the end of the
 * stream and close the connection itself, through its usual path. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/core.h"
#include "http/deadline.h"

#define SWEEP_INTERVAL_MS 250

struct ap_http_watch {
    int fd;
    _Atomic int64_t since_ms; /* when the awaited head's deadline started */
    atomic_bool head_arrived;
    bool shut;                /* under the registry's lock */
    struct ap_http_watch *prev, *next;
};

struct ap_http_deadlines {
    int64_t timeout_ms;
    pthread_t thread;
    /* The lock orders a shutdown against ap_http_deadlines_forget: the fd is
     * never shut down after the library was told it may close and reuse it. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    struct ap_http_watch *head;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void shut_late_connections(struct ap_http_deadlines *d)
{
    int64_t now = monotonic_ms();
    for (struct ap_http_watch *w = d->head; w; w = w->next) {
        if (w->shut || atomic_load(&w->head_arrived) ||
            now - atomic_load(&w->since_ms) <= d->timeout_ms)
            continue;
        shutdown(w->fd, SHUT_RDWR);
        w->shut = true;
    }
}

static void *sweeper(void *arg)
{
    struct ap_http_deadlines *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += SWEEP_INTERVAL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
        if (!d->stopping)
            shut_late_connections(d);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

struct ap_http_deadlines *ap_http_deadlines_start(unsigned timeout_s)
{
    if (timeout_s == 0)
        return NULL;
    struct ap_http_deadlines *d = ap_calloc(1, sizeof *d);
    d->timeout_ms = (int64_t)timeout_s * 1000;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    pthread_create(&d->thread, NULL, sweeper, d);
    return d;
}

void ap_http_deadlines_stop(struct ap_http_deadlines *d)
{
    if (d == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

struct ap_http_watch *ap_http_deadlines_watch(struct ap_http_deadlines *d, int fd)
{
    if (d == NULL)
        return NULL;
    struct ap_http_watch *w = ap_calloc(1, sizeof *w);
    w->fd = fd;
    atomic_store(&w->since_ms, monotonic_ms());
    pthread_mutex_lock(&d->lock);
    w->next = d->head;
    if (d->head)
        d->head->prev = w;
    d->head = w;
    pthread_mutex_unlock(&d->lock);
    return w;
}

void ap_http_deadlines_forget(struct ap_http_deadlines *d, struct ap_http_watch *w)
{
    if (d == NULL || w == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        d->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&d->lock);
    free(w);
}

void ap_http_deadlines_head_arrived(struct ap_http_watch *w)
{
    if (w != NULL)
        atomic_store(&w->head_arrived, true);
}

void ap_http_deadlines_await_head(struct ap_http_watch *w)
{
    if (w == NULL)
        return;
    atomic_store(&w->since_ms, monotonic_ms());
    atomic_store(&w->head_arrived, false);
}
