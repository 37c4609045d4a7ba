/*
 * cmd_spf.c - placeholder until the spf command lands; it refuses to run
 * rather than pretend to check anything.
 */
#include "cli/commands.h"

void cmd_spf_usage(FILE *out)
{
    fprintf(out, "usage: sesguard spf ... (not implemented yet)\n");
}

int cmd_spf(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sesguard: spf: not implemented yet\n");
    return EXIT_TROUBLE;
}
