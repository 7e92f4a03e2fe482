/* log.c: line-at-a-time logger (see log.h). */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bedrock/buf.h"
#include "bedrock/clock.h"
#include "common/json.h"

static enum brk_log_level s_level = BRK_LOG_INFO;
static enum brk_log_format s_format = BRK_LOG_TEXT;
static const char *const s_names[] = {"debug", "info", "warn", "error", "off"};

void brk_log_configure(enum brk_log_level level, enum brk_log_format format)
{
    s_level = level;
    s_format = format;
}

bool brk_log_parse_level(const char *name, enum brk_log_level *out)
{
    for (int i = 0; i <= BRK_LOG_OFF; i++) {
        if (strcmp(name, s_names[i]) == 0) {
            *out = (enum brk_log_level)i;
            return true;
        }
    }
    return false;
}

bool brk_log_parse_format(const char *name, enum brk_log_format *out)
{
    if (strcmp(name, "text") == 0 || strcmp(name, "json") == 0) {
        *out = name[0] == 't' ? BRK_LOG_TEXT : BRK_LOG_JSON;
        return true;
    }
    return false;
}

static void s_timestamp(char out[32])
{
    int64_t ms = brk_clock_real_ms();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

void brk_log(enum brk_log_level level, const char *fmt, ...)
{
    if (level < s_level || level >= BRK_LOG_OFF) {
        return;
    }
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char ts[32];
    s_timestamp(ts);
    struct brk_buf line;
    brk_buf_init(&line, 8192);
    if (s_format == BRK_LOG_JSON) {
        brk_buf_appendf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, s_names[level]);
        brk_buf_append_json_str(&line, msg, strlen(msg));
        brk_buf_append_str(&line, "}\n");
    } else {
        brk_buf_appendf(&line, "%s %-5s %s\n", ts, s_names[level], msg);
    }
    if (line.data) {
        ssize_t ignored = write(STDERR_FILENO, line.data, line.len);
        (void)ignored;
    }
    brk_buf_clean_up(&line);
}
