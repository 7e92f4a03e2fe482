/*
 * bedrock-converse: a command-line Converse client on libbedrock, in the spirit of
 * `aws bedrock-runtime converse` (docs/client.md, section bedrock-converse). It builds the request
 * body with cJSON, calls Converse, ConverseStream or CountTokens, and prints the answer.
 * Exit status: 0 success, 1 the service answered with an error, 2 usage error, 3 configuration
 * error, 4 connection, timeout or transport failure, 5 anything else (malformed answer, memory).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/buf.h"
#include "bedrock/cache_points.h"
#include "bedrock/client.h"

#define CLI_MAX_TOOLS 64
#define CLI_MAX_INPUT_BYTES (16u << 20)

enum { EXIT_SERVICE = 1, EXIT_USAGE = 2, EXIT_CONFIG = 3, EXIT_NETWORK = 4, EXIT_OTHER = 5 };

struct cli_options {
    const char *model, *prompt, *system, *endpoint, *region, *profile;
    const char *tools[CLI_MAX_TOOLS];
    size_t n_tools;
    long max_tokens;
    const char *retry_mode;        /* NULL: resolved as botocore does */
    unsigned max_attempts;         /* 0: resolved as botocore does */
    unsigned long long retry_seed; /* 0: from the OS */
    double temperature;
    bool has_temperature, stream, json, count_tokens, verbose;
    const char *body;                /* --body FILE: the whole Converse body ("-": standard input) */
    struct brk_cache_settings cache; /* --cache-instructions / --cache-tools / --cache-messages */
    bool explain_cache;              /* print the placed request and the report; no call */
};

/* Long-only options. */
enum { OPT_BODY = 1000, OPT_CACHE_INSTRUCTIONS, OPT_CACHE_TOOLS, OPT_CACHE_MESSAGES, OPT_DYNAMIC, OPT_EXPLAIN };

static const char s_usage[] =
    "usage: bedrock-converse --model ID [options] [--prompt TEXT | < prompt.txt]\n"
    "\n"
    "Send one user message to Amazon Bedrock Runtime's Converse API (or bedrock-mock) and print\n"
    "the answer. Credentials, region and endpoint are resolved as the AWS SDKs resolve them:\n"
    "AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,\n"
    "AWS_BEARER_TOKEN_BEDROCK (an API key), ~/.aws/credentials and ~/.aws/config with AWS_PROFILE,\n"
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL (docs/client.md).\n"
    "\n"
    "  -m, --model ID          model id, inference profile or ARN (required)\n"
    "  -p, --prompt TEXT       the user message; without it, standard input is read\n"
    "  -s, --system TEXT       a system prompt\n"
    "      --stream            use ConverseStream and print text as it arrives\n"
    "      --max-tokens N      inferenceConfig.maxTokens\n"
    "      --temperature F     inferenceConfig.temperature\n"
    "      --tool NAME=FILE    offer a tool whose input JSON schema is in FILE (repeatable)\n"
    "      --json              print the whole answer as Converse's JSON\n"
    "      --body FILE         send the Converse body in FILE ('-': standard input) instead of\n"
    "                          --prompt/--system/--tool; its user cachePoint blocks are markers\n"
    "      --cache-instructions[=TTL]  a cache point after the system prompt (TTL 5m or 1h;\n"
    "                          without one, no ttl key is sent)\n"
    "      --cache-tools[=TTL] a cache point after the tool definitions (Anthropic models)\n"
    "      --cache-messages[=TTL]  a cache point at the end of the last user message\n"
    "      --dynamic-instructions N  the last N system blocks are dynamic (cached before them)\n"
    "      --explain-cache     print the request after cache-point placement and trimming and,\n"
    "                          for each cache point, where it went or why it was dropped; no call\n"
    "      --count-tokens      call CountTokens and print the input token count\n"
    "      --endpoint URL      endpoint (e.g. http://127.0.0.1:8787 for bedrock-mock)\n"
    "      --region REGION     region\n"
    "      --profile NAME      profile of the shared config and credentials files\n"
    "      --retry-mode MODE   legacy, standard or adaptive (else AWS_RETRY_MODE, the profile's\n"
    "                          retry_mode, legacy)\n"
    "      --max-attempts N    total attempts per call (else AWS_MAX_ATTEMPTS, the profile's\n"
    "                          max_attempts, 5 in legacy mode, 3 otherwise)\n"
    "      --retry-seed N      seed of the backoff's random draws, for a repeatable schedule\n"
    "  -v, --verbose           on standard error: the resolved settings, then each attempt as it\n"
    "                          ends (time, outcome, decision, backoff, retry quota, adaptive\n"
    "                          rate), the call's attempts and total backoff, stop reason and usage\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 success, 1 service error, 2 usage error, 3 configuration error,\n"
    "4 connection/timeout/transport failure, 5 other failure.\n"
    "\n"
    "Example: bedrock-converse --endpoint http://127.0.0.1:8787 --region us-east-1 \\\n"
    "           --model anthropic.claude-3-haiku-20240307-v1:0 --prompt 'Hello'\n";

__attribute__((format(printf, 1, 2))) static int s_usage_error(const char *fmt, ...);

static int s_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bedrock-converse: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(bedrock-converse --help explains the options)\n");
    return EXIT_USAGE;
}

static bool s_number(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0';
}

/* A cache setting's optional TTL: none is "on" without a ttl key. */
static int s_cache_mode(const char *arg, enum brk_cache_mode *out)
{
    if (!arg) {
        *out = BRK_CACHE_ON;
    } else if (strcmp(arg, "5m") == 0 || strcmp(arg, "1h") == 0) {
        *out = arg[1] == 'm' ? BRK_CACHE_TTL_5M : BRK_CACHE_TTL_1H;
    } else {
        return s_usage_error("a cache TTL is 5m or 1h, not '%s'", arg);
    }
    return 0;
}

/* The cache-point options (and --body). */
static int s_cache_option(int c, const char *arg, struct cli_options *o)
{
    double v = 0;
    switch (c) {
    case OPT_BODY:
        o->body = arg;
        return 0;
    case OPT_CACHE_INSTRUCTIONS:
        return s_cache_mode(arg, &o->cache.instructions);
    case OPT_CACHE_TOOLS:
        return s_cache_mode(arg, &o->cache.tool_definitions);
    case OPT_CACHE_MESSAGES:
        return s_cache_mode(arg, &o->cache.messages);
    case OPT_DYNAMIC:
        if (!s_number(arg, &v) || v < 0 || v > 1e6 || v != (double)(long)v) {
            return s_usage_error("--dynamic-instructions needs a count, not '%s'", arg);
        }
        o->cache.dynamic_instructions = (size_t)v;
        return 0;
    default:
        return s_usage_error("unknown option");
    }
}

/* A whole number from 1 to max. */
static bool s_whole(const char *s, double max, double *out)
{
    return s_number(s, out) && *out >= 1 && *out <= max && *out == (double)(long long)*out;
}

/* One option with an argument; returns 0 or an exit status. */
static int s_option(int c, const char *arg, struct cli_options *o)
{
    double v = 0;
    switch (c) {
    case 'm':
        o->model = arg;
        return 0;
    case 'p':
        o->prompt = arg;
        return 0;
    case 's':
        o->system = arg;
        return 0;
    case 'e':
        o->endpoint = arg;
        return 0;
    case 'r':
        o->region = arg;
        return 0;
    case 'P':
        o->profile = arg;
        return 0;
    case 'R':
        if (strcmp(arg, "legacy") != 0 && strcmp(arg, "standard") != 0 && strcmp(arg, "adaptive") != 0) {
            return s_usage_error("--retry-mode needs legacy, standard or adaptive, not '%s'", arg);
        }
        o->retry_mode = arg;
        return 0;
    case 'A':
        if (!s_whole(arg, 1000, &v)) {
            return s_usage_error("--max-attempts needs an integer from 1 to 1000, not '%s'", arg);
        }
        o->max_attempts = (unsigned)v;
        return 0;
    case 'x':
        if (!s_whole(arg, 9e15, &v)) {
            return s_usage_error("--retry-seed needs a positive integer, not '%s'", arg);
        }
        o->retry_seed = (unsigned long long)v;
        return 0;
    case 'M':
        if (!s_whole(arg, 1e9, &v)) {
            return s_usage_error("--max-tokens needs a positive integer, not '%s'", arg);
        }
        o->max_tokens = (long)v;
        return 0;
    case 'T':
        if (!s_number(arg, &o->temperature)) {
            return s_usage_error("--temperature needs a number, not '%s'", arg);
        }
        o->has_temperature = true;
        return 0;
    case 't':
        if (o->n_tools == CLI_MAX_TOOLS || !strchr(arg, '=') || arg[0] == '=') {
            return s_usage_error("--tool needs NAME=SCHEMA.json (at most 64 tools), not '%s'", arg);
        }
        o->tools[o->n_tools++] = arg;
        return 0;
    default:
        return s_cache_option(c, arg, o);
    }
}

/* Parse argv; returns -1 to go on, else the exit status (0 after --help). */
static int s_parse_args(int argc, char **argv, struct cli_options *o)
{
    static const struct option longs[] = {
        {"model", required_argument, 0, 'm'},
        {"prompt", required_argument, 0, 'p'},
        {"system", required_argument, 0, 's'},
        {"stream", no_argument, 0, 'S'},
        {"max-tokens", required_argument, 0, 'M'},
        {"temperature", required_argument, 0, 'T'},
        {"tool", required_argument, 0, 't'},
        {"json", no_argument, 0, 'j'},
        {"count-tokens", no_argument, 0, 'c'},
        {"endpoint", required_argument, 0, 'e'},
        {"region", required_argument, 0, 'r'},
        {"profile", required_argument, 0, 'P'},
        {"retry-mode", required_argument, 0, 'R'},
        {"max-attempts", required_argument, 0, 'A'},
        {"retry-seed", required_argument, 0, 'x'},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {"body", required_argument, 0, OPT_BODY},
        {"cache-instructions", optional_argument, 0, OPT_CACHE_INSTRUCTIONS},
        {"cache-tools", optional_argument, 0, OPT_CACHE_TOOLS},
        {"cache-messages", optional_argument, 0, OPT_CACHE_MESSAGES},
        {"dynamic-instructions", required_argument, 0, OPT_DYNAMIC},
        {"explain-cache", no_argument, 0, OPT_EXPLAIN},
        {0, 0, 0, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:p:s:vh", longs, NULL)) != -1) {
        int rc = 0;
        if (c == 'h') {
            fputs(s_usage, stdout);
            return 0;
        }
        if (c == '?') {
            return s_usage_error("unknown option or missing argument: '%s'", argv[optind - 1]);
        }
        bool *flag = c == OPT_EXPLAIN ? &o->explain_cache
                     : c == 'S'       ? &o->stream
                     : c == 'j'       ? &o->json
                     : c == 'c'       ? &o->count_tokens
                     : c == 'v'       ? &o->verbose
                                      : NULL;
        if (flag) {
            *flag = true;
        } else if ((rc = s_option(c, optarg, o)) != 0) {
            return rc;
        }
    }
    if (optind < argc) {
        return s_usage_error("unexpected argument '%s'", argv[optind]);
    }
    return o->model ? -1 : s_usage_error("--model is required");
}

/* The prompt: --prompt, else all of standard input. */
static char *s_read_prompt(const struct cli_options *o)
{
    if (o->prompt) {
        return strdup(o->prompt);
    }
    struct brk_buf in;
    brk_buf_init(&in, CLI_MAX_INPUT_BYTES);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
        if (brk_buf_append(&in, chunk, n) != BRK_OK) {
            brk_buf_clean_up(&in);
            return NULL;
        }
    }
    size_t len = 0;
    char *text = brk_buf_detach(&in, &len);
    brk_buf_clean_up(&in);
    while (text && len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
        text[--len] = '\0'; /* the newline that ends a piped line is not part of the prompt */
    }
    return text;
}

/* {"toolSpec":{"name":NAME,"inputSchema":{"json":<FILE>}}}; NULL (after a message) on failure. */
static cJSON *s_tool(const char *spec)
{
    const char *eq = strchr(spec, '=');
    struct brk_buf file;
    brk_buf_init(&file, CLI_MAX_INPUT_BYTES);
    cJSON *schema = NULL, *tool = NULL;
    if (brk_buf_read_file(&file, eq + 1) != BRK_OK) {
        fprintf(stderr, "bedrock-converse: cannot read the schema file '%s'\n", eq + 1);
    } else if (!(schema = cJSON_ParseWithLength(file.data ? file.data : "", file.len))) {
        fprintf(stderr, "bedrock-converse: '%s' is not JSON\n", eq + 1);
    } else {
        tool = cJSON_CreateObject();
        cJSON *ts = cJSON_AddObjectToObject(tool, "toolSpec");
        char *name = strndup(spec, (size_t)(eq - spec));
        cJSON_AddStringToObject(ts, "name", name ? name : "");
        free(name);
        cJSON_AddItemToObject(cJSON_AddObjectToObject(ts, "inputSchema"), "json", schema);
        schema = NULL;
    }
    cJSON_Delete(schema);
    brk_buf_clean_up(&file);
    return tool;
}

static cJSON *s_text_array(const char *text)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON *block = cJSON_CreateObject();
    cJSON_AddStringToObject(block, "text", text);
    cJSON_AddItemToArray(arr, block);
    return arr;
}

/* The Converse request (or CountTokens' input.converse) as cJSON; NULL after a message. */
static cJSON *s_request(const struct cli_options *o, const char *prompt)
{
    cJSON *req = cJSON_CreateObject();
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", "user");
    cJSON_AddItemToObject(msg, "content", s_text_array(prompt));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(req, "messages"), msg);
    if (o->system) {
        cJSON_AddItemToObject(req, "system", s_text_array(o->system));
    }
    if (!o->count_tokens && (o->max_tokens || o->has_temperature)) {
        cJSON *ic = cJSON_AddObjectToObject(req, "inferenceConfig");
        if (o->max_tokens) {
            cJSON_AddNumberToObject(ic, "maxTokens", (double)o->max_tokens);
        }
        if (o->has_temperature) {
            cJSON_AddNumberToObject(ic, "temperature", o->temperature);
        }
    }
    cJSON *tools = o->n_tools ? cJSON_AddArrayToObject(cJSON_AddObjectToObject(req, "toolConfig"), "tools") : NULL;
    for (size_t i = 0; i < o->n_tools; i++) {
        cJSON *t = s_tool(o->tools[i]);
        if (t == NULL) {
            cJSON_Delete(req);
            return NULL;
        }
        cJSON_AddItemToArray(tools, t);
    }
    return req;
}

/* The answer as the Converse body (brk_converse_response_to_json), indented. */
static void s_print_json(const struct brk_converse_response *r)
{
    struct brk_buf b;
    brk_buf_init(&b, 64u << 20);
    cJSON *root = brk_converse_response_to_json(r, &b) == BRK_OK ? cJSON_Parse(b.data) : NULL;
    char *text = root ? cJSON_Print(root) : NULL;
    puts(text ? text : "{}");
    free(text);
    cJSON_Delete(root);
    brk_buf_clean_up(&b);
}

/* The answer as text: text blocks, then one line per tool call. */
static void s_print_text(const struct brk_converse_response *r, bool streamed)
{
    for (size_t i = 0; i < r->message.n_blocks; i++) {
        const struct brk_content_block *b = &r->message.blocks[i];
        if (b->type == BRK_BLOCK_TEXT && !streamed) {
            fputs(b->text ? b->text : "", stdout);
        } else if (b->type == BRK_BLOCK_TOOL_USE) {
            printf("%s[tool use %s (%s): %s]", i ? "\n" : "", b->tool_name, b->tool_use_id, b->tool_input_json);
        }
    }
    putchar('\n');
}

static void s_print_summary(const struct brk_converse_response *r)
{
    fprintf(stderr,
            "request id %s; stop reason: %s; usage: %llu in, %llu out, %llu total, %llu cache read, "
            "%llu cache write; latency %lld ms\n",
            r->request_id[0] ? r->request_id : "-", r->stop_reason ? r->stop_reason : "-",
            (unsigned long long)r->usage.input_tokens, (unsigned long long)r->usage.output_tokens,
            (unsigned long long)r->usage.total_tokens, (unsigned long long)r->usage.cache_read_input_tokens,
            (unsigned long long)r->usage.cache_write_input_tokens, (long long)r->latency_ms);
}

struct cli_stream {
    struct brk_stream_accumulator *acc;
    bool print;
};

static int s_on_event(const struct brk_stream_event *ev, void *user)
{
    struct cli_stream *s = user;
    if (s->print && ev->type == BRK_EVENT_CONTENT_BLOCK_DELTA && ev->delta_type == BRK_DELTA_TEXT) {
        fwrite(ev->delta, 1, ev->delta_len, stdout);
        fflush(stdout);
    }
    return brk_stream_accumulator_on_event(ev, s->acc);
}

static int s_exit_status(enum brk_status rc)
{
    switch (rc) {
    case BRK_OK:
        return 0;
    case BRK_ERR_SERVICE:
        return EXIT_SERVICE;
    case BRK_ERR_CONFIG:
        return EXIT_CONFIG;
    case BRK_ERR_CONNECT:
    case BRK_ERR_TIMEOUT:
    case BRK_ERR_TRANSPORT:
    case BRK_ERR_CRC:
        return EXIT_NETWORK;
    default:
        return EXIT_OTHER;
    }
}

/* botocore's message names the attempts when there were retries: " (reached max retries: 4)". */
static const char *s_retries_note(const struct brk_client *client)
{
    static char note[64];
    struct brk_call_stats st = {0};
    if (client) {
        brk_client_last_call(client, &st);
    }
    note[0] = '\0';
    if (st.attempts > 1) {
        snprintf(note, sizeof(note), " (reached max retries: %u)", st.attempts - 1);
    }
    return note;
}

/* What the --verbose schedule needs across attempts. */
struct cli_schedule {
    int64_t first_send_ms;
    enum brk_retry_mode mode;
};

/* --verbose: one line per attempt as it ends, times from the call's first send. */
static void s_on_attempt(const struct brk_retry_attempt *a, void *user)
{
    struct cli_schedule *sched = user;
    if (a->attempt == 1) {
        sched->first_send_ms = a->send_ms;
    }
    fprintf(stderr, "attempt %u/%u at +%lld ms", a->attempt, a->max_attempts,
            (long long)(a->send_ms - sched->first_send_ms));
    if (a->bucket_wait_ms > 0) {
        fprintf(stderr, " (held %lld ms by the rate limiter)", (long long)a->bucket_wait_ms);
    }
    if (a->status == BRK_OK) {
        fprintf(stderr, ": HTTP %d", a->http_status);
    } else {
        fprintf(stderr, ": %s%s%s, HTTP %d", brk_status_name(a->status), a->code[0] ? " " : "", a->code,
                a->http_status);
    }
    fprintf(stderr, "; %s", brk_retry_decision_name(a->decision));
    if (a->decision == BRK_RETRY_AGAIN) {
        fprintf(stderr, " in %lld ms", (long long)a->delay_ms);
    }
    if (sched->mode != BRK_RETRY_LEGACY) {
        fprintf(stderr, "; quota %u", a->quota_capacity);
    }
    if (sched->mode == BRK_RETRY_ADAPTIVE) {
        fprintf(stderr, "; limiter %s, fill %.3f/s, measured %.3f/s", a->bucket_enabled ? "on" : "off", a->fill_rate,
                a->measured_rate);
    }
    fputc('\n', stderr);
}

static void s_report(const struct cli_options *o, struct brk_client *client, enum brk_status rc,
                     const struct brk_error *err, long ms)
{
    if (o->verbose && client) {
        struct brk_call_stats st;
        brk_client_last_call(client, &st);
        fprintf(stderr, "%s after %u attempt%s (RetryAttempts %u), %lld ms of backoff, %ld ms in all%s%s\n",
                rc == BRK_OK ? "success" : brk_status_name(rc), st.attempts, st.attempts == 1 ? "" : "s",
                st.attempts ? st.attempts - 1 : 0, (long long)st.retry_delay_ms, ms,
                st.max_attempts_reached ? "; MaxAttemptsReached" : "",
                st.retry_quota_reached ? "; RetryQuotaReached" : "");
    }
    if (rc == BRK_ERR_SERVICE) {
        fprintf(stderr, "An error occurred (%s) when calling the %s operation%s: %s\n", err->code,
                o->count_tokens ? "CountTokens"
                : o->stream     ? "ConverseStream"
                                : "Converse",
                s_retries_note(client), err->message);
    } else if (rc != BRK_OK) {
        fprintf(stderr, "bedrock-converse: %s: %s\n", brk_status_str(rc), err->message);
    }
}

/* Converse or ConverseStream; the answer in *out. */
static enum brk_status s_converse(struct brk_client *client, const struct cli_options *o, const char *body,
                                  struct brk_converse_response **out, struct brk_error *err)
{
    if (!o->stream) {
        return brk_converse(client, o->model, body, strlen(body), out, err);
    }
    struct cli_stream s = {.print = !o->json};
    if (brk_stream_accumulator_new(&s.acc) != BRK_OK) {
        return brk_error_setf(err, BRK_ERR_NOMEM, "out of memory");
    }
    enum brk_status rc = brk_converse_stream(client, o->model, body, strlen(body), s_on_event, &s, err);
    enum brk_status fin = brk_stream_accumulator_finish(s.acc, out);
    brk_stream_accumulator_destroy(s.acc);
    rc = rc == BRK_OK && fin != BRK_OK ? brk_error_setf(err, fin, "rebuilding the answer failed") : rc;
    return rc;
}

static enum brk_status s_call(struct brk_client *client, const struct cli_options *o, cJSON *req, struct brk_error *err)
{
    if (o->count_tokens) {
        cJSON *wrapped = cJSON_CreateObject();
        cJSON_AddItemToObject(cJSON_AddObjectToObject(wrapped, "input"), "converse", cJSON_Duplicate(req, true));
        char *body = cJSON_PrintUnformatted(wrapped);
        uint64_t n = 0;
        enum brk_status rc = brk_count_tokens(client, o->model, body, strlen(body), &n, err);
        if (rc == BRK_OK) {
            printf("%llu\n", (unsigned long long)n);
        }
        free(body);
        cJSON_Delete(wrapped);
        return rc;
    }
    char *body = cJSON_PrintUnformatted(req);
    struct brk_converse_response *resp = NULL;
    enum brk_status rc = s_converse(client, o, body, &resp, err);
    if (rc == BRK_OK && o->json) {
        s_print_json(resp);
    } else if (rc == BRK_OK) {
        s_print_text(resp, o->stream);
    }
    if (rc == BRK_OK && o->verbose) {
        s_print_summary(resp);
    }
    brk_converse_response_destroy(resp);
    free(body);
    return rc;
}

static struct brk_client *s_client(const struct cli_options *o, struct cli_schedule *sched, struct brk_error *err)
{
    struct brk_client_config cfg;
    brk_client_config_init(&cfg);
    cfg.retry.mode = !o->retry_mode                           ? BRK_RETRY_DEFAULT
                     : strcmp(o->retry_mode, "legacy") == 0   ? BRK_RETRY_LEGACY
                     : strcmp(o->retry_mode, "standard") == 0 ? BRK_RETRY_STANDARD
                                                              : BRK_RETRY_ADAPTIVE;
    cfg.retry.max_attempts = o->max_attempts;
    cfg.retry.seed = o->retry_seed;
    cfg.retry.on_attempt = o->verbose ? s_on_attempt : NULL;
    cfg.retry.on_attempt_user = sched;
    cfg.endpoint = o->endpoint;
    cfg.region = o->region;
    cfg.profile = o->profile;
    cfg.user_agent_suffix = "bedrock-converse/" BRK_CLIENT_VERSION;
    struct brk_client *client = NULL;
    if (brk_client_new(&cfg, &client, err) == BRK_OK) {
        sched->mode = brk_client_retry_mode(client);
    }
    if (client && o->verbose) {
        fprintf(stderr, "region %s, endpoint %s, auth %s%s\n", brk_client_region(client), brk_client_endpoint(client),
                brk_client_auth(client) == BRK_AUTH_BEARER ? "bearer (API key)" : "SigV4, key ",
                brk_client_access_key_id(client));
        fprintf(stderr, "retry mode %s, %u attempts at most\n", brk_retry_mode_name(brk_client_retry_mode(client)),
                brk_client_max_attempts(client));
    }
    return client;
}

/* The request as given: --body's JSON, else built from the prompt and options. NULL after a message. */
static cJSON *s_given_request(const struct cli_options *o)
{
    if (!o->body) {
        char *prompt = s_read_prompt(o);
        cJSON *req = prompt ? s_request(o, prompt) : NULL;
        free(prompt);
        return req;
    }
    struct brk_buf in;
    brk_buf_init(&in, CLI_MAX_INPUT_BYTES);
    char *text = NULL;
    if (strcmp(o->body, "-") == 0) {
        struct cli_options stdin_only = {0};
        text = s_read_prompt(&stdin_only);
    } else if (brk_buf_read_file(&in, o->body) == BRK_OK) {
        text = brk_buf_detach(&in, NULL);
    }
    brk_buf_clean_up(&in);
    cJSON *req = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(req)) {
        fprintf(stderr, "bedrock-converse: --body %s is not a readable JSON object\n", o->body);
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

static bool s_caching_asked(const struct cli_options *o)
{
    return o->body || o->explain_cache || o->cache.instructions || o->cache.tool_definitions || o->cache.messages;
}

/* Cache-point placement and trimming (include/bedrock/cache_points.h): the placed request, and
 * the report into `report` when given. Frees `req`; NULL after a message. */
static cJSON *s_place(const struct cli_options *o, cJSON *req, cJSON **report)
{
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    struct brk_buf out, rep;
    brk_buf_init(&out, CLI_MAX_INPUT_BYTES * 2);
    brk_buf_init(&rep, CLI_MAX_INPUT_BYTES);
    struct brk_error err;
    brk_error_clear(&err);
    enum brk_status st =
        text ? brk_cache_points_apply(o->model, &o->cache, text, strlen(text), &out, &rep, &err) : BRK_ERR_NOMEM;
    free(text);
    cJSON *placed = st == BRK_OK ? cJSON_Parse(out.data) : NULL;
    if (st != BRK_OK) {
        fprintf(stderr, "bedrock-converse: %s\n", err.message[0] ? err.message : brk_status_str(st));
    } else if (report) {
        *report = cJSON_Parse(rep.data);
    }
    brk_buf_clean_up(&out);
    brk_buf_clean_up(&rep);
    return placed;
}

/* --explain-cache: print {"request": ..., "report": ...}; no call. */
static int s_explain(const struct cli_options *o)
{
    cJSON *report = NULL;
    cJSON *req = s_given_request(o);
    cJSON *placed = req ? s_place(o, req, &report) : NULL;
    if (!placed) {
        return EXIT_USAGE;
    }
    cJSON *both = cJSON_CreateObject();
    cJSON_AddItemToObject(both, "request", placed);
    cJSON_AddItemToObject(both, "report", report ? report : cJSON_CreateNull());
    char *text = cJSON_Print(both);
    puts(text ? text : "null");
    free(text);
    cJSON_Delete(both);
    return 0;
}

int main(int argc, char **argv)
{
    struct cli_options o = {0};
    int status = s_parse_args(argc, argv, &o);
    if (status >= 0) {
        return status;
    }
    if (o.explain_cache) {
        return s_explain(&o);
    }
    struct brk_error err;
    brk_error_clear(&err);
    struct cli_schedule sched = {0};
    struct brk_client *client = s_client(&o, &sched, &err);
    if (client == NULL) {
        s_report(&o, NULL, err.status, &err, 0);
        return s_exit_status(err.status);
    }
    cJSON *req = s_given_request(&o);
    if (req && s_caching_asked(&o)) {
        req = s_place(&o, req, NULL);
    }
    enum brk_status rc = BRK_ERR_INVALID_ARG;
    if (req != NULL) {
        int64_t start = brk_clock_monotonic_ms();
        rc = s_call(client, &o, req, &err);
        s_report(&o, client, rc, &err, (long)(brk_clock_monotonic_ms() - start));
    }
    cJSON_Delete(req);
    brk_client_destroy(client);
    return req ? s_exit_status(rc) : EXIT_USAGE;
}
