/*
 * cmd_keys.c - placeholder until the keys command lands; it refuses to run
 * rather than pretend to scan.
 */
#include "cli/commands.h"

void cmd_keys_usage(FILE *out)
{
    fprintf(out, "usage: sesguard keys ... (not implemented yet)\n");
}

int cmd_keys(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sesguard: keys: not implemented yet\n");
    return EXIT_TROUBLE;
}
