#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
// Fixed-signature wrappers for libcurl's variadic curl_easy_setopt/getinfo, which Swift
// cannot call; compiled into the importing module as static inline functions.
#include <curl/curl.h>

static inline CURLcode k2_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode k2_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode k2_curl_setopt_write(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline long k2_curl_response_code(CURL *h) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
