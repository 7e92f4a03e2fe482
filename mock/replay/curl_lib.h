/*
 * curl_lib.h (mock-private): libcurl, loaded with dlopen when --record first needs it. Only
 * record mode talks to an upstream; linking libcurl into bedrock-mock made every start map it
 * and the ~25 libraries it pulls in (GnuTLS, Kerberos, LDAP, SSH...) and relocate their
 * symbols, about a third of the time to the first answer (docs/benchmarks.md, start-up).
 *
 * Ownership: the library stays loaded for the life of the process (never dlclose'd: curl's
 * global state and threads of a transfer may outlive a recorder). Thread-safety:
 * mock_curl_load may be called from any thread (pthread_once); the table it returns is
 * read-only.
 */
#ifndef MOCK_REPLAY_CURL_LIB_H
#define MOCK_REPLAY_CURL_LIB_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

/* The run-time name of libcurl's ABI 4 (every libcurl since 7.16). A process that links libcurl
 * itself (the scenario runner, the tests) gets the copy already loaded. */
#define MOCK_CURL_SONAME "libcurl.so.4"

/* The entry points record mode uses (member names differ from curl's: curl.h defines some of
 * its names as macros). */
struct mock_curl {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
};

/* Load libcurl (MOCK_CURL_SONAME), resolve the table and run curl_global_init, once per
 * process. NULL, with the reason in err, when the library or one of its symbols is missing. */
const struct mock_curl *mock_curl_load(char *err, size_t err_len);

/* The loading step alone, for any library name (tests): fills *out, or returns false with the
 * reason in err (the library is then not left loaded). No global state. */
bool mock_curl_open(const char *soname, struct mock_curl *out, char *err, size_t err_len);

#endif
