#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
// libcurl, loaded with dlopen on first use rather than linked: libcurl brings some thirty
// shared libraries (OpenSSL, Kerberos, LDAP, ...) whose loading added ~5 ms to every start of
// k2mock, most of which never deliver a callback. The wrappers also give Swift fixed
// signatures for curl's variadic calls.
//
// The function table is a static in this header, so one copy per C translation unit: only
// CurlClient.swift may call these functions.
#include <dlfcn.h>
#include <stddef.h>
#include <curl/curl.h>

typedef struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
} k2_curl_api;

static inline k2_curl_api *k2_curl_table(void) {
    static k2_curl_api api;
    return &api;
}

/// Loads libcurl and runs curl_global_init; 0 when libcurl is not installed. Call once.
static inline int k2_curl_load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return 0;
    k2_curl_api *api = k2_curl_table();
    api->global_init = (CURLcode (*)(long))dlsym(lib, "curl_global_init");
    api->easy_init = (CURL *(*)(void))dlsym(lib, "curl_easy_init");
    api->easy_setopt = (CURLcode (*)(CURL *, CURLoption, ...))dlsym(lib, "curl_easy_setopt");
    api->easy_perform = (CURLcode (*)(CURL *))dlsym(lib, "curl_easy_perform");
    api->easy_getinfo = (CURLcode (*)(CURL *, CURLINFO, ...))dlsym(lib, "curl_easy_getinfo");
    api->easy_cleanup = (void (*)(CURL *))dlsym(lib, "curl_easy_cleanup");
    api->easy_strerror = (const char *(*)(CURLcode))dlsym(lib, "curl_easy_strerror");
    api->slist_append = (struct curl_slist *(*)(struct curl_slist *, const char *))dlsym(lib, "curl_slist_append");
    api->slist_free_all = (void (*)(struct curl_slist *))dlsym(lib, "curl_slist_free_all");
    api->multi_init = (CURLM *(*)(void))dlsym(lib, "curl_multi_init");
    api->multi_add_handle = (CURLMcode (*)(CURLM *, CURL *))dlsym(lib, "curl_multi_add_handle");
    api->multi_remove_handle = (CURLMcode (*)(CURLM *, CURL *))dlsym(lib, "curl_multi_remove_handle");
    api->multi_perform = (CURLMcode (*)(CURLM *, int *))dlsym(lib, "curl_multi_perform");
    api->multi_poll = (CURLMcode (*)(CURLM *, struct curl_waitfd *, unsigned int, int, int *))dlsym(lib, "curl_multi_poll");
    api->multi_wakeup = (CURLMcode (*)(CURLM *))dlsym(lib, "curl_multi_wakeup");
    api->multi_info_read = (CURLMsg *(*)(CURLM *, int *))dlsym(lib, "curl_multi_info_read");
    api->multi_cleanup = (CURLMcode (*)(CURLM *))dlsym(lib, "curl_multi_cleanup");
    api->multi_setopt = (CURLMcode (*)(CURLM *, CURLMoption, ...))dlsym(lib, "curl_multi_setopt");
    if (!api->multi_init || !api->multi_add_handle || !api->multi_remove_handle || !api->multi_perform
        || !api->multi_poll || !api->multi_wakeup || !api->multi_info_read || !api->multi_cleanup || !api->multi_setopt) return 0;
    if (!api->global_init || !api->easy_init || !api->easy_setopt || !api->easy_perform || !api->easy_getinfo
        || !api->easy_cleanup || !api->easy_strerror || !api->slist_append || !api->slist_free_all) return 0;
    return api->global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static inline CURL *k2_curl_easy_init(void) { return k2_curl_table()->easy_init(); }
static inline void k2_curl_easy_cleanup(CURL *h) { k2_curl_table()->easy_cleanup(h); }
static inline CURLcode k2_curl_easy_perform(CURL *h) { return k2_curl_table()->easy_perform(h); }
static inline const char *k2_curl_strerror(CURLcode c) { return k2_curl_table()->easy_strerror(c); }
static inline struct curl_slist *k2_curl_slist_append(struct curl_slist *l, const char *s) { return k2_curl_table()->slist_append(l, s); }
static inline void k2_curl_slist_free_all(struct curl_slist *l) { k2_curl_table()->slist_free_all(l); }
static inline CURLcode k2_curl_setopt_long(CURL *h, CURLoption o, long v) { return k2_curl_table()->easy_setopt(h, o, v); }
static inline CURLcode k2_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return k2_curl_table()->easy_setopt(h, o, v); }
static inline CURLcode k2_curl_setopt_write(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return k2_curl_table()->easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLM *k2_curl_multi_init(void) { return k2_curl_table()->multi_init(); }
static inline void k2_curl_multi_cleanup(CURLM *m) { k2_curl_table()->multi_cleanup(m); }
/// How many idle connections the multi handle keeps open for reuse.
static inline void k2_curl_multi_keep_connections(CURLM *m, long count) {
    k2_curl_table()->multi_setopt(m, CURLMOPT_MAXCONNECTS, count);
}
static inline void k2_curl_multi_add(CURLM *m, CURL *h) { k2_curl_table()->multi_add_handle(m, h); }
static inline void k2_curl_multi_remove(CURLM *m, CURL *h) { k2_curl_table()->multi_remove_handle(m, h); }
static inline int k2_curl_multi_perform(CURLM *m) {
    int running = 0;
    k2_curl_table()->multi_perform(m, &running);
    return running;
}
/// Waits up to `timeout_ms` for activity on any transfer or a wakeup.
static inline void k2_curl_multi_poll(CURLM *m, int timeout_ms) { k2_curl_table()->multi_poll(m, NULL, 0, timeout_ms, NULL); }
/// Safe from any thread: ends a `k2_curl_multi_poll` early.
static inline void k2_curl_multi_wakeup(CURLM *m) { k2_curl_table()->multi_wakeup(m); }
/// The next finished transfer (its easy handle and result), or 0 when none is left.
static inline int k2_curl_multi_done(CURLM *m, CURL **handle, CURLcode *result) {
    int left = 0;
    CURLMsg *msg;
    while ((msg = k2_curl_table()->multi_info_read(m, &left))) {
        if (msg->msg == CURLMSG_DONE) {
            *handle = msg->easy_handle;
            *result = msg->data.result;
            return 1;
        }
    }
    return 0;
}
/// Only http and https, for requests and redirects (curl would otherwise speak file, gopher,
/// dict...). The string option needs libcurl 7.85; older ones take the bitmask.
static inline int k2_curl_restrict_to_http(CURL *h) {
    k2_curl_api *api = k2_curl_table();
    if (api->easy_setopt(h, (CURLoption)10318 /* CURLOPT_PROTOCOLS_STR */, "http,https") == CURLE_OK
        && api->easy_setopt(h, (CURLoption)10319 /* CURLOPT_REDIR_PROTOCOLS_STR */, "http,https") == CURLE_OK) return 1;
    long both = (1 << 0) | (1 << 1); /* CURLPROTO_HTTP | CURLPROTO_HTTPS */
    return api->easy_setopt(h, (CURLoption)181 /* CURLOPT_PROTOCOLS */, both) == CURLE_OK
        && api->easy_setopt(h, (CURLoption)182 /* CURLOPT_REDIR_PROTOCOLS */, both) == CURLE_OK;
}
/// No proxy bypass from `no_proxy` in the environment (the proxy, or none, is the caller's
/// choice), and the CA bundle without the CA directory: libcurl then keeps the parsed bundle
/// instead of reading it again for every TLS connection.
static inline void k2_curl_ignore_environment(CURL *h) {
    k2_curl_api *api = k2_curl_table();
    api->easy_setopt(h, CURLOPT_NOPROXY, "");
    api->easy_setopt(h, CURLOPT_CAPATH, (char *)NULL);
}
static inline long k2_curl_response_code(CURL *h) {
    long code = 0;
    k2_curl_table()->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
