/*
 * cmd_iam.c - placeholder; replaced below.
 */
#include "cli/commands.h"

void cmd_iam_usage(FILE *out)
{
    fprintf(out, "usage: sesguard iam ... (not implemented yet)\n");
}

int cmd_iam(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return EXIT_TROUBLE;
}
