/* Tests of src/http/deadline.c on socket pairs: a connection whose head is
 * late is shut down, one whose head arrived is not, and the deadline starts
 * again for the next request (issue 21, item 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/deadline.h"

/* True when the server's end was shut down: the client end reads the end of
 * the stream within wait_ms. */
static bool shut_within(int client, int wait_ms)
{
    struct pollfd p = {.fd = client, .events = POLLIN};
    if (poll(&p, 1, wait_ms) != 1)
        return false;
    char c;
    return read(client, &c, 1) == 0;
}

static void test_late_head_is_shut_down(void **state)
{
    (void)state;
    struct ap_http_deadlines *d = ap_http_deadlines_start(1);
    int late[2], arrived[2], again[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, late), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, arrived), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, again), 0);
    struct ap_http_watch *w_late = ap_http_deadlines_watch(d, late[0]);
    struct ap_http_watch *w_arrived = ap_http_deadlines_watch(d, arrived[0]);
    struct ap_http_watch *w_again = ap_http_deadlines_watch(d, again[0]);
    ap_http_deadlines_head_arrived(w_arrived);
    ap_http_deadlines_head_arrived(w_again);
    assert_false(shut_within(late[1], 500)); /* not before the deadline */
    assert_true(shut_within(late[1], 2000));
    assert_false(shut_within(arrived[1], 0));
    /* Its request ended: the next head has a second to arrive. */
    ap_http_deadlines_await_head(w_again);
    assert_true(shut_within(again[1], 2500));
    assert_false(shut_within(arrived[1], 0));
    ap_http_deadlines_forget(d, w_late);
    ap_http_deadlines_forget(d, w_arrived);
    ap_http_deadlines_forget(d, w_again);
    ap_http_deadlines_stop(d);
    for (int i = 0; i < 2; i++) {
        close(late[i]);
        close(arrived[i]);
        close(again[i]);
    }
}

static void test_zero_is_no_deadline(void **state)
{
    (void)state;
    assert_null(ap_http_deadlines_start(0));
    assert_null(ap_http_deadlines_watch(NULL, 3));
    ap_http_deadlines_head_arrived(NULL);
    ap_http_deadlines_await_head(NULL);
    ap_http_deadlines_forget(NULL, NULL);
    ap_http_deadlines_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_head_is_shut_down),
        cmocka_unit_test(test_zero_is_no_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
