/* varlink_load: a closed-loop load generator for a varlink service (or redis) on a Unix socket.
 *
 * C connections, each sending one call and waiting for its reply before the
 * next one, for a fixed duration. Calls go over a list of tokens round robin
 * (each connection starts at a different offset). Latency of every call is
 * recorded (CLOCK_MONOTONIC); at the end: calls/s, p50, p99, max and errors.
 *
 * Two client shapes (same closed loop, same requests, same accounting):
 *   default    one thread per connection, blocking send/recv;
 *   --epoll    one thread drives all connections through epoll, the way
 *              redis-benchmark does (so on a small machine the client takes
 *              about as much CPU as redis-benchmark does, not C threads'
 *              worth of context switches).
 *
 * varlink mode (default): sends
 *   {"method":"io.riegel.Auth.CheckSession","parameters":{"token":"T"[,"touch":false]}}\0
 * and reads up to the NUL; a reply containing "error" counts as an error.
 * --raw mode: sends the RESP command GET key (`*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n`)
 * and reads one reply ($-1\r\n, or $len\r\n + payload\r\n), as redis-benchmark does.
 *
 * Usage: varlink_load -s SOCK -c CONC -d SECONDS [-t TOKENFILE] [--no-touch] [--raw]
 *        [--method NAME] [--warmup SECONDS] [--epoll]
 * Output (one line, key=value): calls=.. seconds=.. rate=.. p50_us=.. p99_us=.. max_us=.. errors=..
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path;
static int conc = 16;
static double duration = 5.0, warmup = 0.5;
static int raw_mode, no_touch, use_epoll;
static const char *method = "io.riegel.Auth.CheckSession";
static char **tokens;
static size_t ntokens;
static volatile int go, stop_flag, measuring;

typedef struct {
    int id;
    uint32_t *lat_us; /* per-call latency in microseconds (rounded up to 0.1 µs would be overkill) */
    size_t n, cap;
    long errors;
    int failed;
} worker_t;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int connect_unix(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { close(fd); return -1; }
    return fd;
}

static int send_all(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; len -= (size_t)w;
    }
    return 0;
}

/* Reads one varlink reply (up to NUL). Returns 1 if it contains "error", 0 if not, -1 on failure.
 * Replies arrive strictly in call order and we have one call in flight, so nothing follows the NUL. */
static int read_varlink(int fd, char *buf, size_t cap) {
    size_t have = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + have, cap - have - 1, 0);
        if (r < 0) { if (errno == EINTR) continue; return -1; }
        if (r == 0) return -1;
        have += (size_t)r;
        if (buf[have - 1] == '\0') break;
        if (have >= cap - 1) return -1;
    }
    buf[have] = '\0';
    return strstr(buf, "\"error\"") != NULL;
}

/* Reads one RESP bulk reply. Returns 0 ok, 1 for an error reply, -1 on failure. */
static int read_resp(int fd, char *buf, size_t cap) {
    size_t have = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + have, cap - have - 1, 0);
        if (r < 0) { if (errno == EINTR) continue; return -1; }
        if (r == 0) return -1;
        have += (size_t)r;
        buf[have] = '\0';
        char *eol = strstr(buf, "\r\n");
        if (!eol) continue;
        if (buf[0] == '-') return 1;
        if (buf[0] != '$') return 0; /* +OK, :n */
        long len = strtol(buf + 1, NULL, 10);
        if (len < 0) return 0; /* $-1: nil */
        size_t need = (size_t)(eol - buf) + 2 + (size_t)len + 2;
        if (have >= need) return 0;
        if (need >= cap) return -1;
    }
}

/* Writes the next request of a connection into req; returns its length (NUL included for varlink). */
static size_t build_request(char *req, size_t cap, size_t *ti) {
    if (raw_mode) return (size_t)snprintf(req, cap, "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
    const char *tok = ntokens ? tokens[*ti] : "";
    *ti = ntokens ? (*ti + 1) % ntokens : 0;
    size_t len = (size_t)snprintf(req, cap, "{\"method\":\"%s\",\"parameters\":{\"token\":\"%s\"%s}}", method, tok,
                                  no_touch ? ",\"touch\":false" : "");
    return len + 1; /* the NUL terminator snprintf wrote */
}

/* Records one finished call (rc: 0 ok, 1 error reply) if the measurement window is open. */
static void record(worker_t *w, int rc, const char *reply, uint64_t t0, uint64_t t1) {
    if (!measuring) return;
    if (rc == 1) {
        if (w->errors == 0) fprintf(stderr, "first error reply: %.300s\n", reply);
        w->errors++;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 65536;
        w->lat_us = realloc(w->lat_us, w->cap * sizeof *w->lat_us);
    }
    uint64_t d = (t1 - t0 + 500) / 1000;
    w->lat_us[w->n++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void *run(void *arg) {
    worker_t *w = arg;
    char *req = malloc(4096), *buf = malloc(65536);
    int fd = connect_unix(sock_path);
    if (fd < 0) { perror("connect"); w->failed = 1; return NULL; }
    size_t ti = ntokens ? ((size_t)w->id * 7919u) % ntokens : 0;
    while (!go) usleep(1000);
    while (!stop_flag) {
        size_t len = build_request(req, 4096, &ti);
        uint64_t t0 = now_ns();
        if (send_all(fd, req, len) < 0) { w->failed = 1; break; }
        int rc = raw_mode ? read_resp(fd, buf, 65536) : read_varlink(fd, buf, 65536);
        uint64_t t1 = now_ns();
        if (rc < 0) { w->failed = 1; break; }
        record(w, rc, buf, t0, t1);
    }
    close(fd);
    free(req); free(buf);
    return NULL;
}

/* --epoll: one thread, all connections non-blocking in one epoll set. */
typedef struct {
    int fd;
    size_t ti, have;
    uint64_t t0;
    char req[4096], buf[65536];
} conn_t;

/* Whether buf[0..have) holds one complete reply; sets *rc (0 ok, 1 error reply). */
static int reply_complete(const char *buf, size_t have, int *rc) {
    if (!raw_mode) {
        if (have == 0 || buf[have - 1] != '\0') return 0;
        *rc = strstr(buf, "\"error\"") != NULL;
        return 1;
    }
    const char *eol = memmem(buf, have, "\r\n", 2);
    if (!eol) return 0;
    *rc = 0;
    if (buf[0] == '-') { *rc = 1; return 1; }
    if (buf[0] != '$') return 1;
    long len = strtol(buf + 1, NULL, 10);
    if (len < 0) return 1;
    return have >= (size_t)(eol - buf) + 2 + (size_t)len + 2;
}

static int send_request(conn_t *c) {
    size_t len = build_request(c->req, sizeof c->req, &c->ti);
    c->have = 0;
    c->t0 = now_ns();
    return send_all(c->fd, c->req, len); /* small: the socket buffer takes it whole */
}

static void *run_epoll(void *arg) {
    worker_t *w = arg;
    int ep = epoll_create1(0);
    conn_t *cs = calloc((size_t)conc, sizeof *cs);
    for (int i = 0; i < conc; i++) {
        cs[i].fd = connect_unix(sock_path);
        if (cs[i].fd < 0) { perror("connect"); w->failed = 1; return NULL; }
        cs[i].ti = ntokens ? ((size_t)i * 7919u) % ntokens : 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    while (!go) usleep(1000);
    for (int i = 0; i < conc; i++)
        if (send_request(&cs[i]) < 0) { w->failed = 1; goto out; }
    struct epoll_event evs[256];
    while (!stop_flag) {
        int n = epoll_wait(ep, evs, 256, 100);
        if (n < 0) { if (errno == EINTR) continue; w->failed = 1; break; }
        for (int k = 0; k < n; k++) {
            conn_t *c = evs[k].data.ptr;
            ssize_t r = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have - 1, MSG_DONTWAIT);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r <= 0) { w->failed = 1; goto out; }
            c->have += (size_t)r;
            c->buf[c->have] = '\0';
            int rc;
            if (!reply_complete(c->buf, c->have, &rc)) {
                if (c->have >= sizeof c->buf - 1) { w->failed = 1; goto out; }
                continue;
            }
            record(w, rc, c->buf, c->t0, now_ns());
            if (!stop_flag && send_request(c) < 0) { w->failed = 1; goto out; }
        }
    }
out:
    for (int i = 0; i < conc; i++) if (cs[i].fd >= 0) close(cs[i].fd);
    free(cs);
    close(ep);
    return NULL;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void load_tokens(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(2); }
    size_t cap = 1024;
    tokens = malloc(cap * sizeof *tokens);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        size_t l = strcspn(line, "\r\n");
        line[l] = 0;
        if (!l) continue;
        if (ntokens == cap) tokens = realloc(tokens, (cap *= 2) * sizeof *tokens);
        tokens[ntokens++] = strdup(line);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc) sock_path = argv[++i];
        else if (!strcmp(argv[i], "-c") && i + 1 < argc) conc = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-d") && i + 1 < argc) duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) load_tokens(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--method") && i + 1 < argc) method = argv[++i];
        else if (!strcmp(argv[i], "--no-touch")) no_touch = 1;
        else if (!strcmp(argv[i], "--raw")) raw_mode = 1;
        else if (!strcmp(argv[i], "--epoll")) use_epoll = 1;
        else { fprintf(stderr, "usage: %s -s SOCK -c CONC -d SECONDS [-t TOKENFILE] [--no-touch] [--raw] [--method M] [--warmup S] [--epoll]\n", argv[0]); return 2; }
    }
    if (!sock_path || conc < 1) { fprintf(stderr, "need -s SOCK and -c >= 1\n"); return 2; }
    if (!raw_mode && !ntokens) { fprintf(stderr, "varlink mode needs -t TOKENFILE\n"); return 2; }

    int nthreads = use_epoll ? 1 : conc;
    worker_t *ws = calloc((size_t)nthreads, sizeof *ws);
    pthread_t *th = calloc((size_t)nthreads, sizeof *th);
    for (int i = 0; i < nthreads; i++) {
        ws[i].id = i;
        pthread_create(&th[i], NULL, use_epoll ? run_epoll : run, &ws[i]);
    }
    usleep(100000); /* let every thread connect */
    go = 1;
    struct timespec ts = {(time_t)warmup, (long)((warmup - (time_t)warmup) * 1e9)};
    nanosleep(&ts, NULL);
    measuring = 1;
    double t0 = now_s();
    ts.tv_sec = (time_t)duration;
    ts.tv_nsec = (long)((duration - (time_t)duration) * 1e9);
    nanosleep(&ts, NULL);
    measuring = 0;
    double elapsed = now_s() - t0;
    stop_flag = 1;
    size_t total = 0;
    long errors = 0;
    int failed = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        total += ws[i].n;
        errors += ws[i].errors;
        failed |= ws[i].failed;
    }
    uint32_t *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nthreads; i++) {
        memcpy(all + k, ws[i].lat_us, ws[i].n * sizeof *all);
        k += ws[i].n;
    }
    qsort(all, total, sizeof *all, cmp_u32);
    uint32_t p50 = total ? all[total / 2] : 0;
    uint32_t p99 = total ? all[(size_t)(total * 0.99)] : 0;
    uint32_t mx = total ? all[total - 1] : 0;
    printf("calls=%zu seconds=%.3f rate=%.0f p50_us=%u p99_us=%u max_us=%u errors=%ld failed=%d\n",
           total, elapsed, total / elapsed, p50, p99, mx, errors, failed);
    return failed ? 1 : 0;
}
