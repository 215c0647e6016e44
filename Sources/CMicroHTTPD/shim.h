#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
// Fixed-signature wrappers around libmicrohttpd's variadic calls, which Swift cannot call.
// Compiled into the importing Swift module as static inline functions: no C target needed.
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <microhttpd.h>

/// Starts a daemon on host:port (IPv4 or IPv6 literal) with an internal epoll thread pool.
static inline struct MHD_Daemon *k2_start_daemon(
    const char *host, uint16_t port, unsigned int pool_size, unsigned int idle_timeout_seconds,
    size_t connection_memory_limit,
    MHD_AccessHandlerCallback handler, void *handler_cls,
    MHD_RequestCompletedCallback completed, void *completed_cls,
    MHD_NotifyConnectionCallback notify, void *notify_cls) {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const struct sockaddr *addr;
    /* epoll: each worker waits on its ready connections only. A stop does not quiesce the
       daemon (see k2_retire_listen_socket). */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME
                       | MHD_USE_ITC | MHD_USE_TURBO;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        addr = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        addr = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
        MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, pool_size,
        MHD_OPTION_CONNECTION_TIMEOUT, idle_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_limit,
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
        MHD_OPTION_NOTIFY_CONNECTION, notify, notify_cls,
        /* No SO_REUSEPORT: a second server on a port in use must fail to bind, not share it. */
        MHD_OPTION_END);
}

/// Closes the daemon's listening socket at once, so that new connections are refused, and
/// points its descriptor at the read end of a fresh pipe, which never becomes ready while the
/// returned write end stays open: close that after MHD_stop_daemon (which closes the read end).
/// Returns -1 (and changes nothing) if it cannot.
/// Not MHD_quiesce_daemon: with epoll it removes the socket from each worker's epoll set while
/// the workers, seeing the daemon quiesced, remove it too, and the loser aborts the process
/// ("Failed to remove listen FD from epoll set", libmicrohttpd 0.9.75). Here the socket leaves
/// every epoll set by closing (the kernel drops a closed file from them), and the descriptor
/// the workers and MHD_stop_daemon still hold stays valid and silent. One window is left: a
/// worker whose accept() was under way at this instant and brought it to its connection limit
/// (about 510 connections per worker) removes the listening descriptor from its epoll set on
/// its next turn, finds the pipe not there, and aborts. Quiescing had that risk at any count.
/// Without a free descriptor for the pipe, the socket stays open until the daemon stops.
static inline int k2_retire_listen_socket(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    int ends[2];
    if (!info || info->listen_fd < 0 || pipe2(ends, O_CLOEXEC) != 0) return -1;
    if (dup3(ends[0], info->listen_fd, O_CLOEXEC) < 0) {
        close(ends[0]);
        close(ends[1]);
        return -1;
    }
    close(ends[0]);
    return ends[1];
}

/// The port the daemon is bound to (the real one when started on port 0).
static inline uint16_t k2_daemon_port(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/// What the connection's notify callback keeps for it (MHD_CONNECTION_INFO_SOCKET_CONTEXT).
static inline void *k2_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/// How many connections the daemon holds open right now.
static inline unsigned int k2_daemon_connections(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}
#endif
