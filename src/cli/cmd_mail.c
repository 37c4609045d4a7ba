/*
 * cmd_mail.c - placeholder, replaced below.
 */
#include "cli/commands.h"

void cmd_mail_usage(FILE *out)
{
    fprintf(out, "usage: sesguard mail PATH...\n");
}

int cmd_mail(int argc, char **argv)
{
    return EXIT_TROUBLE;
}
