/*
 * client_support.h: helpers for the libbedrock tests (tests/test_client_*.c): a clean
 * environment per test, a client pointed at an in-process mock, rules through the admin API,
 * and scratch files. Criterion runs each test in its own worker process, so changing the
 * environment here never leaks into another test.
 */
#ifndef TESTS_CLIENT_SUPPORT_H
#define TESTS_CLIENT_SUPPORT_H

#include "bedrock/client.h"
#include "tests/support/harness.h"

#define TC_HAIKU "anthropic.claude-3-haiku-20240307-v1:0"
#define TC_SONNET4 "us.anthropic.claude-sonnet-4-20250514-v1:0"
#define TC_HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello there, client\"}]}]}"
#define TC_AKID "AKIDCLIENT"
#define TC_SECRET "client-secret/KEY+value"

/* Unset every variable the client reads and point HOME at a new empty folder (returned; it
 * lives until tc_env_clean_up). */
const char *tc_env_reset(void);
void tc_env_clean_up(void);

/* Write `text` to `name` under the HOME of tc_env_reset (folders created); returns the path. */
const char *tc_write_home_file(const char *name, const char *text);

/* Init `cfg` with region us-east-1, SigV4 keys TC_AKID/TC_SECRET and one attempt per call (no retries). */
void tc_config_init(struct brk_client_config *cfg);

/* A client for `mock` with SigV4 keys TC_AKID/TC_SECRET in us-east-1; aborts the test on failure. */
struct brk_client *tc_client(struct brk_mock *mock);

/* The same with the caller's config (endpoint set to the mock's URL unless given). */
struct brk_client *tc_client_with(struct brk_mock *mock, struct brk_client_config *cfg);

/* POST a rule (JSON text) to /_mock/rules; asserts 201. */
void tc_rule(struct brk_mock *mock, const char *rule_json);

/* The newest journal entry (GET /_mock/requests): a detached copy the caller frees with
 * cJSON_Delete; NULL when the journal is empty. */
cJSON *tc_last_journal_entry(struct brk_mock *mock);

#endif
