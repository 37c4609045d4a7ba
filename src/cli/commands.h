/*
 * commands.h - the subcommands of the sesguard binary.
 *
 * Each command is cmd_<name>(argc, argv) in cli/cmd_<name>.c, with argv[0]
 * the command name; it returns the process exit status:
 *   0  clean / no findings
 *   1  findings (suspicious or phishing mail, secrets, detections)
 *   2  usage error, or some input could not be read (the others were still
 *      processed)
 * Only the CLI layer decides exit codes; library layers return statuses.
 */
#ifndef SG_CLI_COMMANDS_H
#define SG_CLI_COMMANDS_H

#include <stdio.h>

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out);
    const char *summary; /* one line, English msgid */
} command_t;

int cmd_mail(int argc, char **argv);
void cmd_mail_usage(FILE *out);
int cmd_keys(int argc, char **argv);
void cmd_keys_usage(FILE *out);
int cmd_trail(int argc, char **argv);
void cmd_trail_usage(FILE *out);
int cmd_iam(int argc, char **argv);
void cmd_iam_usage(FILE *out);
int cmd_rules(int argc, char **argv);
void cmd_rules_usage(FILE *out);
int cmd_spf(int argc, char **argv);
void cmd_spf_usage(FILE *out);
int cmd_dkim(int argc, char **argv);
void cmd_dkim_usage(FILE *out);
int cmd_dmarc(int argc, char **argv);
void cmd_dmarc_usage(FILE *out);

/* Shared option values. */
typedef enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF, FORMAT_HTML } output_format_t;
/* Parse --format's argument against the allowed set ("text,json"); returns
 * 0 or -1 after printing a usage error naming the value. */
int cli_parse_format(const char *arg, const char *allowed, output_format_t *out);
/* Set up the language from --lang (NULL: environment); -1 on bad value. */
int cli_init_lang(const char *lang);

#endif
