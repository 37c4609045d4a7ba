/*
 * source.h - where messages come from: files, mboxes, Maildirs, stdin.
 *
 * mail_source_scan(path) calls back once per message found under path:
 *   "-"        standard input (a message or an mbox)
 *   a file     an mbox if its first line is a "From " line, else one message
 *   a Maildir  a directory with cur/ and new/: the messages in both
 *              (tmp/ holds deliveries in progress and is skipped)
 *   a directory every regular file under it, recursively, links followed
 *              (Maildirs inside it are read as Maildirs)
 *
 * mbox: a "From " line starts a message when it has the shape of a real
 * separator: a time hh:mm:ss in it, or, after a blank line, an envelope
 * sender (an address) as its first word. mboxo writers are sloppy about
 * the blank line and about quoting body lines, so neither alone decides:
 * "From here on, ..." after a blank line in a body stays body text. Lines ">From ", ">>From " ...
 * lose one '>' (mboxrd quoting; for mboxo, the only reading that restores the common case). CRLF
 * mboxes work.
 *
 * Memory stays bounded however large the input: messages are streamed and
 * each is held only while its callback runs, at most MAIL_MAX_MESSAGE_BYTES
 * (a bigger one is cut there and flagged truncated, the rest skipped up to
 * the next message).
 * Errors: unreadable paths go to on_error with errno and the scan goes on.
 */
#ifndef SG_MAIL_SOURCE_H
#define SG_MAIL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mail_item {
    const char *path; /* the file ("-" for stdin) */
    long index;       /* 0-based position in an mbox, -1 for a one-message file */
    const char *data; /* the message bytes (valid during the callback) */
    size_t len;
    bool truncated;              /* cut at MAIL_MAX_MESSAGE_BYTES */
    unsigned long long orig_len; /* size before truncation */
} mail_item_t;

typedef struct mail_source_opts {
    int (*on_message)(const mail_item_t *item, void *ctx); /* non-zero stops */
    void (*on_error)(const char *path, int errnum, void *ctx);
    void *ctx;
} mail_source_opts_t;

/* Returns the number of errors reported, or the callback's stop value. */
int mail_source_scan(const char *path, const mail_source_opts_t *o);

#endif
