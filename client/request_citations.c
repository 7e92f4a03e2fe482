/*
 * request_citations.c: the citationsContent block (CitationsContentBlock), which a model
 * returns with cited answers and which a conversation sends back as history.
 *
 * Tree, in the service model's member order: {"content":[{"text"}], "citations":[{"title",
 * "source", "sourceContent":[{"text"}], "location":{<one kind>:{...}}}]}. Unset strings and
 * negative numbers are omitted (every number of a location is an optional integer >= 0).
 */
#include <string.h>

#include "client/request_priv.h"

/* Location members, indexed by enum brk_citation_location. */
static const char *const s_location_names[] = {
    [BRK_CITATION_LOCATION_WEB] = "web",
    [BRK_CITATION_LOCATION_DOCUMENT_CHAR] = "documentChar",
    [BRK_CITATION_LOCATION_DOCUMENT_PAGE] = "documentPage",
    [BRK_CITATION_LOCATION_DOCUMENT_CHUNK] = "documentChunk",
    [BRK_CITATION_LOCATION_SEARCH_RESULT] = "searchResultLocation",
};

static bool s_add_string(cJSON *obj, const char *name, const char *value)
{
    return !value || cJSON_AddStringToObject(obj, name, value);
}

static bool s_add_count(cJSON *obj, const char *name, long value)
{
    return value < 0 || cJSON_AddNumberToObject(obj, name, (double)value);
}

/* The location object of `c`; *ok false on NOMEM. */
static bool s_add_location(cJSON *citation, const struct brk_citation *c)
{
    if (c->location == BRK_CITATION_LOCATION_NONE) {
        return true;
    }
    cJSON *location = cJSON_AddObjectToObject(citation, "location");
    cJSON *kind = location ? cJSON_AddObjectToObject(location, s_location_names[c->location]) : NULL;
    if (!kind) {
        return false;
    }
    if (c->location == BRK_CITATION_LOCATION_WEB) {
        return s_add_string(kind, "url", c->url) && s_add_string(kind, "domain", c->domain);
    }
    bool search = c->location == BRK_CITATION_LOCATION_SEARCH_RESULT;
    return s_add_count(kind, search ? "searchResultIndex" : "documentIndex", c->index) &&
           s_add_count(kind, "start", c->start) && s_add_count(kind, "end", c->end);
}

static cJSON *s_citation(struct brk_request *req, const struct brk_citation *c)
{
    static const char fn[] = "brk_request_citations_content";
    if ((unsigned)c->location > BRK_CITATION_LOCATION_SEARCH_RESULT) {
        brk_rq_fail(req, BRK_ERR_INVALID_ARG, "%s: unknown citation location %d", fn, (int)c->location);
        return NULL;
    }
    cJSON *source_content = c->n_source_texts ? brk_rq_text_items(req, fn, c->source_texts, c->n_source_texts) : NULL;
    if (c->n_source_texts && !source_content) {
        return NULL;
    }
    cJSON *citation = cJSON_CreateObject();
    bool ok = citation && s_add_string(citation, "title", c->title) && s_add_string(citation, "source", c->source);
    if (ok && source_content) {
        ok = cJSON_AddItemToObject(citation, "sourceContent", source_content);
        source_content = ok ? NULL : source_content;
    }
    if (!ok || !s_add_location(citation, c)) {
        cJSON_Delete(source_content);
        cJSON_Delete(citation);
        brk_rq_nomem(req);
        return NULL;
    }
    return citation;
}

/* The citations list; NULL with the error recorded. */
static cJSON *s_citations(struct brk_request *req, const struct brk_citation *citations, size_t n)
{
    cJSON *list = cJSON_CreateArray();
    if (!list) {
        brk_rq_nomem(req);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *c = s_citation(req, &citations[i]);
        if (!c) {
            cJSON_Delete(list);
            return NULL;
        }
        cJSON_AddItemToArray(list, c);
    }
    return list;
}

enum brk_status brk_request_citations_content(struct brk_request *req, const char *const *texts, size_t n_texts,
                                              const struct brk_citation *citations, size_t n_citations)
{
    static const char fn[] = "brk_request_citations_content";
    struct brk_rq_slot slot;
    enum brk_status st = brk_rq_slot(req, fn, "citationsContent", 0, &slot);
    st = st == BRK_OK && n_citations ? brk_rq_arg(req, fn, "citations", citations) : st;
    if (st != BRK_OK) {
        return st;
    }
    cJSON *content = brk_rq_text_items(req, fn, texts, n_texts);
    cJSON *list = content ? s_citations(req, citations, n_citations) : NULL;
    cJSON *block = list ? cJSON_CreateObject() : NULL;
    if (!block || !cJSON_AddItemToObject(block, "content", content)) {
        cJSON_Delete(content);
        cJSON_Delete(list);
        cJSON_Delete(block);
        return req->err.status != BRK_OK ? req->err.status : brk_rq_nomem(req);
    }
    if (!cJSON_AddItemToObject(block, "citations", list)) {
        cJSON_Delete(list);
        cJSON_Delete(block);
        return brk_rq_nomem(req);
    }
    return brk_rq_add(req, &slot, "citationsContent", block);
}
