/*
 * replay_main.c - run a libFuzzer target over files without libFuzzer.
 *
 * ctest replays every fuzz target over its seed corpus with this driver, so
 * the seeds run under ASan/UBSan in the ordinary test build (gcc or clang).
 * Arguments are files or directories (one level, every regular file).
 * Exit 0 when every input ran; a sanitizer aborts the process on a finding.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL)
        return -1;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int count = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: no such file\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += run_file(argv[i]) != 0;
            count++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (d == NULL)
            return 1;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char p[4096];
            if ((size_t)snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name) >= sizeof p)
                continue;
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                bad += run_file(p) != 0;
                count++;
            }
        }
        closedir(d);
    }
    printf("replay: %d inputs, %d unreadable\n", count, bad);
    return (count == 0 || bad) ? 1 : 0;
}
