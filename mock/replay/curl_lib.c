/* curl_lib.c: libcurl by dlopen, for --record only (see curl_lib.h). */
#include "mock/replay/curl_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* dlsym returns an object pointer; POSIX guarantees it converts to a function pointer. */
static bool s_sym(void *lib, const char *soname, const char *name, void *fn_out, char *err, size_t err_len)
{
    void *p = dlsym(lib, name);
    if (!p) {
        snprintf(err, err_len, "--record needs libcurl: %s has no %s", soname, name);
        return false;
    }
    memcpy(fn_out, &p, sizeof(p));
    return true;
}

bool mock_curl_open(const char *soname, struct mock_curl *out, char *err, size_t err_len)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(err, err_len, "--record needs libcurl (%s): %s", soname, why ? why : "not found");
        return false;
    }
    bool ok = s_sym(lib, soname, "curl_global_init", &out->global_init, err, err_len) &&
              s_sym(lib, soname, "curl_easy_init", &out->easy_init, err, err_len) &&
              s_sym(lib, soname, "curl_easy_setopt", &out->easy_setopt, err, err_len) &&
              s_sym(lib, soname, "curl_easy_perform", &out->easy_perform, err, err_len) &&
              s_sym(lib, soname, "curl_easy_cleanup", &out->easy_cleanup, err, err_len) &&
              s_sym(lib, soname, "curl_slist_append", &out->slist_append, err, err_len) &&
              s_sym(lib, soname, "curl_slist_free_all", &out->slist_free_all, err, err_len);
    if (!ok) {
        dlclose(lib);
    }
    return ok;
}

static struct mock_curl s_curl;
static bool s_loaded;
static char s_error[256];
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void s_load(void)
{
    s_loaded = mock_curl_open(MOCK_CURL_SONAME, &s_curl, s_error, sizeof(s_error));
    if (s_loaded) {
        s_curl.global_init(CURL_GLOBAL_DEFAULT); /* once, before any thread uses curl */
    }
}

const struct mock_curl *mock_curl_load(char *err, size_t err_len)
{
    pthread_once(&s_once, s_load);
    if (!s_loaded) {
        snprintf(err, err_len, "%s", s_error);
        return NULL;
    }
    return &s_curl;
}
