/*
 * profile.c: reading one value out of the AWS shared config and credentials files.
 *
 * The files are INI: "[section]" lines, "key = value" lines, comments starting with '#' or ';'.
 * The config file names a profile "[profile NAME]" (and the default one "[default]"), the
 * credentials file "[NAME]"; the caller picks the section name. Values are trimmed; nested
 * sub-sections (indented lines under "s3 =") are skipped as botocore skips what it does not use.
 * Files are read whole, at most 1 MiB. Thread-safe (no shared state).
 */
#include <ctype.h>
#include <openssl/crypto.h>
#include <string.h>

#include "client/client_priv.h"
#include "common/alloc.h"

#define PROFILE_MAX_FILE_BYTES (1u << 20)

/* Trim spaces at both ends of [*start, *end). */
static void s_trim(const char **start, const char **end)
{
    while (*start < *end && isspace((unsigned char)**start)) {
        (*start)++;
    }
    while (*end > *start && isspace((unsigned char)(*end)[-1])) {
        (*end)--;
    }
}

/* Whether the line [s, e) is the header of `section` ("[ name ]", inner spaces collapsed to
 * the one the caller's "profile NAME" holds). Sets *is_header for any "[...]" line. */
static bool s_section_is(const char *s, const char *e, const char *section, bool *is_header)
{
    *is_header = e > s && *s == '[' && e[-1] == ']';
    if (!*is_header) {
        return false;
    }
    s++;
    e--;
    s_trim(&s, &e);
    const char *sp = memchr(s, ' ', (size_t)(e - s));
    if (sp == NULL) {
        return strlen(section) == (size_t)(e - s) && memcmp(s, section, (size_t)(e - s)) == 0;
    }
    /* "profile   dev": compare the word before and the rest after the run of spaces. */
    const char *rest = sp;
    while (rest < e && isspace((unsigned char)*rest)) {
        rest++;
    }
    size_t w1 = (size_t)(sp - s), w2 = (size_t)(e - rest);
    return strlen(section) == w1 + 1 + w2 && memcmp(section, s, w1) == 0 && section[w1] == ' ' &&
           memcmp(section + w1 + 1, rest, w2) == 0;
}

/* The value of `key` on line [s, e), or NULL. */
static const char *s_key_value(const char *s, const char *e, const char *key, const char **vend)
{
    if (s == e || isspace((unsigned char)*s)) {
        return NULL; /* blank, or a nested sub-section line */
    }
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (eq == NULL) {
        return NULL;
    }
    const char *ks = s, *ke = eq, *vs = eq + 1;
    s_trim(&ks, &ke);
    if (strlen(key) != (size_t)(ke - ks) || memcmp(key, ks, (size_t)(ke - ks)) != 0) {
        return NULL;
    }
    *vend = e;
    s_trim(&vs, vend);
    return vs;
}

static enum brk_status s_lookup(const char *text, const char *section, const char *key, char **out)
{
    bool in_section = false;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        const char *s = line, *e = end;
        s_trim(&s, &e);
        bool header = false;
        if (s < e && *s != '#' && *s != ';') {
            bool match = s_section_is(s, e, section, &header);
            in_section = header ? match : in_section;
            const char *vend = NULL;
            const char *v = (!header && in_section) ? s_key_value(line, end, key, &vend) : NULL;
            if (v != NULL) {
                *out = brk_strndup(v, (size_t)(vend - v));
                return *out ? BRK_OK : BRK_ERR_NOMEM;
            }
        }
        line = nl ? nl + 1 : end;
    }
    return BRK_OK;
}

enum brk_status client_profile_get(const char *path, const char *section, const char *key, char **out)
{
    *out = NULL;
    struct brk_buf file;
    brk_buf_init(&file, PROFILE_MAX_FILE_BYTES);
    enum brk_status rc = brk_buf_read_file(&file, path);
    if (rc == BRK_OK && file.data != NULL) {
        rc = s_lookup(file.data, section, key, out);
    } else if (rc == BRK_ERR_IO || rc == BRK_ERR_TOO_LARGE) {
        rc = BRK_OK; /* a missing or oversized file holds nothing we use, as for botocore a missing one */
    }
    if (file.data != NULL) {
        OPENSSL_cleanse(file.data, file.len); /* the credentials file holds secrets */
    }
    brk_buf_clean_up(&file);
    return rc;
}
