/*
 * cmd_rules.c - sesguard rules: list the symbols the mail rules may emit,
 * with their weights (after the configuration's overrides), groups,
 * whether they are enabled, and what they tell a reader.
 *
 *   sesguard rules [--format text|json] [--lang ja|en] [--config FILE]
 */
#include <getopt.h>
#include <json-c/json.h>
#include <unistd.h>

#include "cli/commands.h"
#include "rules/ruleset.h"
#include "util/conf.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/paths.h"

void cmd_rules_usage(FILE *out)
{
    fputs(_("usage: sesguard rules [--format text|json] [--lang ja|en] [--config FILE]\n"
            "\n"
            "List the symbols the mail rules emit: weight, group, and the explanation a\n"
            "reader sees. Weights come from data/symbols.conf and the configuration\n"
            "(weight.NAME = N, disable = NAME).\n"),
          out);
}

int cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    output_format_t format = FORMAT_TEXT;
    const char *lang = NULL, *config = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:l:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (cli_parse_format(optarg, "text,json", &format) != 0)
                return EXIT_TROUBLE;
            break;
        case 'l':
            lang = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'h':
            cmd_rules_usage(stdout);
            return EXIT_CLEAN;
        default:
            cmd_rules_usage(stderr);
            return EXIT_TROUBLE;
        }
    }
    if (cli_init_lang(lang) != 0)
        return EXIT_TROUBLE;
    char *err = NULL;
    conf_t *conf = conf_new();
    char *dflt = g_build_filename(paths_sysconfdir(), "sesguard.conf", NULL);
    const char *cpath = config ? config : (access(dflt, R_OK) == 0 ? dflt : NULL);
    char *path = paths_data_file("symbols.conf");
    ruleset_t *rs = NULL;
    if ((cpath && conf_load_file(conf, cpath, &err) != 0) ||
        (rs = ruleset_load(path, &err)) == NULL || ruleset_apply_conf(rs, conf, &err) != 0) {
        log_err("%s", err);
        g_free(err);
        ruleset_free(rs);
        conf_free(conf);
        g_free(path);
        g_free(dflt);
        return EXIT_TROUBLE;
    }
    const GPtrArray *all = ruleset_all(rs);
    for (guint i = 0; i < all->len; i++) {
        const rule_def_t *d = all->pdata[i];
        char *ex = ruleset_explain(d, i18n_lang(), "{1}", "{2}");
        if (format == FORMAT_JSON) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "schema", json_object_new_int(1));
            json_object_object_add(o, "name", json_object_new_string(d->name));
            json_object_object_add(o, "group", json_object_new_string(d->group));
            json_object_object_add(o, "weight", json_object_new_double(d->weight));
            json_object_object_add(o, "enabled", json_object_new_boolean(d->enabled));
            json_object_object_add(o, "en", json_object_new_string(d->en));
            json_object_object_add(o, "ja", json_object_new_string(d->ja));
            puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(o);
        } else {
            printf("%-12s %-30s %5.1f%s  %s\n", d->group, d->name, d->weight,
                   d->enabled ? "" : _(" (off)"), ex);
        }
        g_free(ex);
    }
    ruleset_free(rs);
    conf_free(conf);
    g_free(path);
    g_free(dflt);
    return EXIT_CLEAN;
}
