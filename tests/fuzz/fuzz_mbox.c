/*
 * fuzz_mbox.c - the mbox/stream splitter: any bytes on "stdin" must split
 * into messages without reading out of bounds. The input is written to a
 * temporary file and scanned as a path, as the CLI does.
 */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "mail/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const mail_item_t *it, void *ctx)
{
    size_t *n = ctx;
    /* touch every byte the item claims to have */
    volatile unsigned char sum = 0;
    for (size_t i = 0; i < it->len; i++)
        sum += (unsigned char)it->data[i];
    (void)sum;
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/sgfuzzmboxXXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    size_t n = 0;
    mail_source_opts_t o = {.on_message = count, .on_error = NULL, .ctx = &n};
    mail_source_scan(path, &o);
    unlink(path);
    return 0;
}
