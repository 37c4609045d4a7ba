/*
 * args.h - option parsing shared by the commands that take long options
 * by hand (keys, trail).
 */
#ifndef SG_CLI_ARGS_H
#define SG_CLI_ARGS_H

#include <stdbool.h>

/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value (advancing *i
 * past a separate one), or NULL when argv[*i] is not this option, or when
 * the value is missing (then *missing is set). */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name, bool *missing);

#endif
