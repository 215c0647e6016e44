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
static inline long k2_curl_response_code(CURL *h) {
    long code = 0;
    k2_curl_table()->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
