/*
 * cmd_dkim.c - placeholder until the dkim command lands; it refuses to run
 * rather than pretend to check anything.
 */
#include "cli/commands.h"

void cmd_dkim_usage(FILE *out)
{
    fprintf(out, "usage: sesguard dkim ... (not implemented yet)\n");
}

int cmd_dkim(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sesguard: dkim: not implemented yet\n");
    return EXIT_TROUBLE;
}
