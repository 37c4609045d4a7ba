/*
 * cmd_trail.c - placeholder until the trail command lands; it refuses to run
 * rather than pretend to scan.
 */
#include "cli/commands.h"

void cmd_trail_usage(FILE *out)
{
    fprintf(out, "usage: sesguard trail ... (not implemented yet)\n");
}

int cmd_trail(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sesguard: trail: not implemented yet\n");
    return EXIT_TROUBLE;
}

void cmd_iam_usage(FILE *out)
{
    fprintf(out, "usage: sesguard iam ... (not implemented yet)\n");
}

int cmd_iam(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sesguard: iam: not implemented yet\n");
    return EXIT_TROUBLE;
}
