/*
 * cmd_dmarc.c - placeholder until the dmarc command lands; it refuses to run
 * rather than pretend to check anything.
 */
#include "cli/commands.h"

void cmd_dmarc_usage(FILE *out)
{
    fprintf(out, "usage: sesguard dmarc ... (not implemented yet)\n");
}

int cmd_dmarc(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sesguard: dmarc: not implemented yet\n");
    return EXIT_TROUBLE;
}
