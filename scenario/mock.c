/*
 * mock.c: the scenario's mock: starting an embedded bedrock-mock with the scenario's `mock`
 * setup (include/bedrock/mock.h), and talking to a mock's admin API over HTTP (libcurl): the
 * same path for an embedded mock and an external one, so mock actions and journal reads behave
 * alike under run, exec, serve and check.
 *
 * The clock: a scenario's mock gets a clock made here (virtual by default, starting at
 * mock.clock.start, else at the caller's default: run's fixed epoch, or exec's real time) and lent through brk_mock_config.clock, so the runner can lend the same clock
 * to the client: one time line for both.
 *
 * Ownership: struct scn_mock owns the server and the clock (scn_mock_stop frees both, the server
 * first). Thread-safe: each call uses its own curl handle.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/json.h"
#include "scenario/scenario.h"

#define S_MAX_ANSWER_BYTES (64u << 20)
#define S_ADMIN_TIMEOUT_MS 30000L

/* ---- HTTP ----------------------------------------------------------------------------- */

static size_t s_on_body(char *data, size_t size, size_t n, void *user)
{
    struct brk_buf *b = user;
    return brk_buf_append(b, data, size * n) == BRK_OK ? size * n : 0;
}

void scn_http(const char *method, const char *url, const char *body, struct scn_http_answer *out)
{
    memset(out, 0, sizeof(*out));
    brk_buf_init(&out->body, S_MAX_ANSWER_BYTES);
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        return;
    }
    struct curl_slist *hdrs = curl_slist_append(NULL, "content-type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, S_ADMIN_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    } else {
        snprintf(out->error, sizeof(out->error), "%s %s: %s", method, url, curl_easy_strerror(rc));
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
}

void scn_http_answer_clean_up(struct scn_http_answer *a)
{
    brk_buf_clean_up(&a->body);
}

/* METHOD base+path with `item` as its body (printed); non-2xx answers are errors with the
 * mock's message. */
static enum brk_status s_admin(const char *base, const char *method, const char *path, const cJSON *item, char *err,
                               size_t err_len)
{
    char url[512];
    snprintf(url, sizeof(url), "%s%s", base, path);
    char *body = item ? cJSON_PrintUnformatted(item) : NULL;
    struct scn_http_answer a;
    scn_http(method, url, body, &a);
    cJSON_free(body);
    enum brk_status rc = BRK_OK;
    if (a.status < 200 || a.status > 299) {
        snprintf(err, err_len, "%s %s: %s%s", method, path, a.status ? "the mock answered " : a.error,
                 a.status ? (a.body.data ? a.body.data : "") : "");
        rc = a.status ? BRK_ERR_SERVICE : BRK_ERR_CONNECT;
    }
    scn_http_answer_clean_up(&a);
    return rc;
}

enum brk_status scn_mock_action(const char *base, const char *method, const char *path, const cJSON *item, char *err,
                                size_t err_len)
{
    return s_admin(base, method, path, item, err, err_len);
}

/* ---- start-up -------------------------------------------------------------------------- */

static int64_t s_start_ms(const cJSON *clock, int64_t default_start_ms)
{
    const cJSON *start = brk_json_get(clock, "start");
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!cJSON_IsString(start) || !strptime(start->valuestring, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        return default_start_ms; /* 0: now */
    }
    return (int64_t)timegm(&tm) * 1000;
}

static struct brk_clock *s_clock_new(const cJSON *mock, int64_t default_start_ms)
{
    const cJSON *clock = brk_json_get(mock, "clock");
    const cJSON *mode = cJSON_IsObject(clock) ? brk_json_get(clock, "mode") : clock;
    bool real = cJSON_IsString(mode) && strcmp(mode->valuestring, "real") == 0;
    return brk_clock_new(real ? BRK_CLOCK_REAL : BRK_CLOCK_VIRTUAL, real ? 0 : s_start_ms(clock, default_start_ms));
}

static enum brk_mock_auth s_auth_mode(const cJSON *auth)
{
    const cJSON *mode = brk_json_get(auth, "mode");
    if (cJSON_IsString(mode) && strcmp(mode->valuestring, "strict") == 0) {
        return BRK_MOCK_AUTH_STRICT;
    }
    return cJSON_IsString(mode) && strcmp(mode->valuestring, "none") == 0 ? BRK_MOCK_AUTH_NONE : BRK_MOCK_AUTH_LENIENT;
}

/* mock.auth's lists as the credentials file's document, or NULL when there are none. */
static char *s_credentials_json(const cJSON *auth)
{
    const cJSON *creds = brk_json_get(auth, "credentials"), *keys = brk_json_get(auth, "api_keys");
    if (!creds && !keys) {
        return NULL;
    }
    cJSON *doc = cJSON_CreateObject();
    if (creds) {
        cJSON_AddItemToObject(doc, "credentials", cJSON_Duplicate(creds, true));
    }
    if (keys) {
        cJSON_AddItemToObject(doc, "api_keys", cJSON_Duplicate(keys, true));
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

static unsigned s_uint(const cJSON *obj, const char *name, unsigned dflt)
{
    return (unsigned)brk_json_count(brk_json_get(obj, name), dflt);
}

static void s_config(const struct scenario *sc, const cJSON *mock, char *catalogue, size_t cat_len,
                     struct brk_mock_config *cfg)
{
    const cJSON *models = brk_json_get(mock, "models"), *cache = brk_json_get(mock, "cache");
    const cJSON *cat = brk_json_get(models, "catalogue"), *apm = brk_json_get(models, "application_profile_model");
    if (cJSON_IsString(cat)) {
        snprintf(catalogue, cat_len, "%s%s%s", cat->valuestring[0] == '/' ? "" : sc->dir,
                 cat->valuestring[0] == '/' ? "" : "/", cat->valuestring);
        cfg->models_path = catalogue;
    }
    cfg->application_profile_model = cJSON_IsString(apm) ? apm->valuestring : NULL;
    cfg->journal_size = s_uint(mock, "journal_size", 1000);
    cfg->cache_max_entries = s_uint(cache, "max_entries", 10000);
    const cJSON *below = brk_json_get(cache, "below_minimum");
    cfg->cache_reject_below_minimum = cJSON_IsString(below) && strcmp(below->valuestring, "reject") == 0;
    cfg->stream_chunk_chars = s_uint(brk_json_get(mock, "stream"), "chunk_chars", 0);
    const cJSON *auth = brk_json_get(mock, "auth"), *region = brk_json_get(auth, "region");
    cfg->auth_mode = s_auth_mode(auth);
    cfg->auth_region = cJSON_IsString(region) ? region->valuestring : NULL;
    cfg->threads = 2; /* a scenario's calls are sequential; --jobs runs several mocks */
}

enum brk_status scn_mock_start(const struct scenario *sc, uint64_t seed, uint16_t port, int64_t default_start_ms,
                               struct scn_mock *m, char *err, size_t err_len)
{
    memset(m, 0, sizeof(*m));
    const cJSON *mock = brk_json_get(sc->root, "mock");
    struct brk_mock_config cfg;
    brk_mock_config_init(&cfg);
    char catalogue[1024];
    s_config(sc, mock, catalogue, sizeof(catalogue), &cfg);
    cfg.port = port;
    cfg.has_seed = true;
    cfg.seed = seed;
    m->clock = s_clock_new(mock, default_start_ms);
    cfg.clock = m->clock;
    char *creds = s_credentials_json(brk_json_get(mock, "auth"));
    cfg.credentials_json = creds;
    enum brk_status rc = m->clock ? brk_mock_start(&cfg, &m->mock, err, err_len) : BRK_ERR_NOMEM;
    cJSON_free(creds);
    if (rc == BRK_OK) {
        snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%u", (unsigned)brk_mock_port(m->mock));
        rc = scn_mock_setup(sc, m->url, err, err_len);
    }
    if (rc != BRK_OK) {
        scn_mock_stop(m);
    }
    return rc;
}

enum brk_status scn_mock_setup(const struct scenario *sc, const char *url, char *err, size_t err_len)
{
    const cJSON *mock = brk_json_get(sc->root, "mock");
    const cJSON *rules = brk_json_get(mock, "rules"), *quotas = brk_json_get(mock, "quotas");
    const cJSON *profiles = brk_json_get(brk_json_get(mock, "models"), "application_profiles");
    enum brk_status rc = BRK_OK;
    if (cJSON_GetArraySize(rules) > 0) {
        rc = s_admin(url, "POST", "/_mock/rules", rules, err, err_len);
    }
    if (rc == BRK_OK && cJSON_GetArraySize(quotas) > 0) {
        rc = s_admin(url, "PUT", "/_mock/quotas", quotas, err, err_len);
    }
    if (rc == BRK_OK && profiles) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "application_profiles", cJSON_Duplicate(profiles, true));
        rc = s_admin(url, "PUT", "/_mock/models", doc, err, err_len);
        cJSON_Delete(doc);
    }
    return rc;
}

void scn_mock_stop(struct scn_mock *m)
{
    brk_mock_stop(m->mock);
    brk_clock_destroy(m->clock);
    memset(m, 0, sizeof(*m));
}

/* ---- the journal ------------------------------------------------------------------------ */

cJSON *scn_journal_since(const char *url, uint64_t since, uint64_t *max_seq, char *err, size_t err_len)
{
    char full[512];
    snprintf(full, sizeof(full), "%s/_mock/requests?bodies=1&since=%llu", url, (unsigned long long)since);
    struct scn_http_answer a;
    scn_http("GET", full, NULL, &a);
    cJSON *doc = a.status == 200 && a.body.data ? cJSON_ParseWithLength(a.body.data, a.body.len) : NULL;
    if (!doc) {
        snprintf(err, err_len, "reading the journal: %s", a.status ? "the mock's answer is not a journal" : a.error);
    }
    scn_http_answer_clean_up(&a);
    cJSON *out = doc ? cJSON_CreateArray() : NULL;
    *max_seq = since;
    /* Filter by seq here too: a mock without `since` answers with the whole journal. */
    cJSON *requests = cJSON_DetachItemFromObjectCaseSensitive(doc, "requests");
    for (cJSON *e = requests ? requests->child : NULL; out && e;) {
        cJSON *next = e->next;
        uint64_t seq = brk_json_count(brk_json_get(e, "seq"), 0);
        *max_seq = seq > *max_seq ? seq : *max_seq;
        if (seq > since) {
            cJSON_AddItemToArray(out, cJSON_DetachItemViaPointer(requests, e));
        }
        e = next;
    }
    cJSON_Delete(requests);
    cJSON_Delete(doc);
    return out;
}
