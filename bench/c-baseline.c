/* The bar k2mock's GET is measured against: libmicrohttpd in plain C serving fixed bytes with
 * the same daemon flags and thread pool as k2mock's transport, answering on the second
 * callback (keep-alive) and reading the Authorization header as k2mock must.
 * Usage: c-baseline PORT BODY_FILE [sink]   (sink: answer 200 to anything, as a callback receiver) */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *body;
static size_t body_len;
static int marker;
static int sink;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls) {
  (void)cls; (void)url; (void)method; (void)version; (void)upload;
  if (*con_cls == NULL) { *con_cls = &marker; return MHD_YES; }
  if (*upload_size) { *upload_size = 0; return MHD_YES; }
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  struct MHD_Response *r = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
  enum MHD_Result ret = MHD_queue_response(c, (auth || sink) ? 200 : 401, r);
  MHD_destroy_response(r);
  return ret;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) { fprintf(stderr, "usage: %s PORT BODY_FILE [sink]\n", argv[0]); return 2; }
  sink = argc == 4;
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 1; }
  fseek(f, 0, SEEK_END); body_len = (size_t)ftell(f); fseek(f, 0, SEEK_SET);
  body = malloc(body_len);
  if (fread(body, 1, body_len, f) != body_len) { perror("read"); return 1; }
  fclose(f);
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_TURBO,
      (uint16_t)atoi(argv[1]), NULL, NULL, handler, NULL,
      MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
  if (!d) { fprintf(stderr, "cannot listen\n"); return 1; }
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGINT); sigaddset(&s, SIGTERM);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int sig; sigwait(&s, &sig);
  MHD_stop_daemon(d);
  return 0;
}
