/* Deadlines for request heads (deadline.c), internal to the server. The
 * library's connection timeout counts from the last byte, so a client that
 * sends one header byte a second holds its connection for ever; a head must
 * now arrive whole within a fixed time of the connection's start, or of the
 * previous request's end on a kept-alive connection. */
#ifndef AP_HTTP_DEADLINE_H
#define AP_HTTP_DEADLINE_H

#include <stdint.h>

struct ap_http_deadlines;
struct ap_http_watch;

/* Starts the thread that ends late connections; NULL (no deadline) when
 * timeout_s is 0. The caller stops and frees it with ap_http_deadlines_stop,
 * which accepts NULL, after every watched connection was closed. */
struct ap_http_deadlines *ap_http_deadlines_start(unsigned timeout_s);
void ap_http_deadlines_stop(struct ap_http_deadlines *d);

/* Watches connection socket fd from now, until ap_http_deadlines_forget,
 * which must come before fd is closed and frees the watch. NULL when d is. */
struct ap_http_watch *ap_http_deadlines_watch(struct ap_http_deadlines *d, int fd);
void ap_http_deadlines_forget(struct ap_http_deadlines *d, struct ap_http_watch *w);
/* The head has arrived: the connection is out of reach of the deadline. */
void ap_http_deadlines_head_arrived(struct ap_http_watch *w);
/* The request ended: the next head's deadline counts from now. */
void ap_http_deadlines_await_head(struct ap_http_watch *w);

#endif
