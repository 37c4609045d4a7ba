/*
 * log.h - diagnostics on stderr, with fixed severities.
 *
 *   log_err   an input or operation failed; the run goes on (exit code 2)
 *   log_warn  something is wrong but handled
 *   log_info  progress a user may want with -v
 *   log_debug developer detail with -vv
 *
 * The *_errno variants append strerror(errno), like OpenSMTPD's log_warn
 * versus log_warnx. Library code logs and returns a status; only main()
 * decides to exit. Every line starts with "sesguard: ".
 */
#ifndef SG_UTIL_LOG_H
#define SG_UTIL_LOG_H

enum log_level { LOG_LEVEL_ERR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Number of log_err calls so far (the CLI turns a non-zero count into exit 2). */
unsigned long log_error_count(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
