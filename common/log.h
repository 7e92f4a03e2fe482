/*
 * log.h: one logger for the mock and the tools, to stderr, in text or JSON lines.
 *
 * Text:  2026-11-25T17:00:00.123Z INFO  listening on http://127.0.0.1:8787
 * JSON:  {"time":"2026-11-25T17:00:00.123Z","level":"info","msg":"listening on ..."}
 * Configuration is process-wide and should be set once at start-up; logging itself is
 * thread-safe (one write(2) per line). Secrets must never be passed to the logger.
 */
#ifndef BEDROCK_LOG_H
#define BEDROCK_LOG_H

#include <stdbool.h>

enum brk_log_level { BRK_LOG_DEBUG = 0, BRK_LOG_INFO, BRK_LOG_WARN, BRK_LOG_ERROR, BRK_LOG_OFF };
enum brk_log_format { BRK_LOG_TEXT = 0, BRK_LOG_JSON };

void brk_log_configure(enum brk_log_level level, enum brk_log_format format);

/* Parse "debug", "info", "warn", "error", "off"; false on anything else. */
bool brk_log_parse_level(const char *name, enum brk_log_level *out);

/* Parse "text" or "json"; false on anything else. */
bool brk_log_parse_format(const char *name, enum brk_log_format *out);

void brk_log(enum brk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define brk_log_debug(...) brk_log(BRK_LOG_DEBUG, __VA_ARGS__)
#define brk_log_info(...) brk_log(BRK_LOG_INFO, __VA_ARGS__)
#define brk_log_warn(...) brk_log(BRK_LOG_WARN, __VA_ARGS__)
#define brk_log_error(...) brk_log(BRK_LOG_ERROR, __VA_ARGS__)

#endif
