/*
 * keygit.c - git history walk for the scanner; see keygit.h.
 *
 * Why diff against the first parent rather than walk every tree: a tree
 * walk per commit reads every unchanged subtree again (O(commits x files));
 * a tree-to-tree diff skips identical subtrees by id. Visiting parents
 * before children (GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) makes the
 * first commit that shows a blob the one that introduced it; a blob that
 * reaches a merge from its second parent was already seen on that side.
 */
#include "keys/keygit.h"

#include <git2.h>
#include <string.h>

#include "util/log.h"

typedef struct gitwalk {
    keyscan_t *ks;
    git_repository *repo;
    GHashTable *seen; /* git_oid (copied) of blobs already queued */
    unsigned long blobs;
} gitwalk_t;

static guint oid_hash(gconstpointer p)
{
    guint h;
    memcpy(&h, p, sizeof h); /* a SHA-1 is already uniformly distributed */
    return h;
}

static gboolean oid_equal(gconstpointer a, gconstpointer b)
{
    return git_oid_cmp(a, b) == 0;
}

static void git_fail(keyscan_t *ks, const char *what)
{
    const git_error *e = git_error_last();
    log_err("%s: %s", what, e && e->message ? e->message : "git error");
    keyscan_count_error(ks);
}

static char *iso_date(const git_time *t)
{
    GDateTime *d = g_date_time_new_from_unix_utc(t->time);
    if (d == NULL)
        return g_strdup("?");
    char *s = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(d);
    return s ? s : g_strdup("?");
}

static void fill_origin(keyscan_origin_t *o, const git_commit *c)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, git_commit_id(c));
    o->commit = g_strdup(hex);
    const git_signature *a = git_commit_author(c);
    if (a) {
        o->author_date = iso_date(&a->when);
        /* names and mails are attacker text: bound them */
        o->author =
            g_strdup_printf("%.100s <%.100s>", a->name ? a->name : "", a->email ? a->email : "");
    } else {
        o->author_date = g_strdup("?");
    }
}

static void queue_blob(gitwalk_t *gw, const git_diff_file *file, const git_commit *c)
{
    if (file->mode == GIT_FILEMODE_COMMIT || file->mode == GIT_FILEMODE_TREE ||
        git_oid_is_zero(&file->id) || g_hash_table_contains(gw->seen, &file->id))
        return;
    g_hash_table_add(gw->seen, g_memdup2(&file->id, sizeof file->id));
    git_blob *blob = NULL;
    if (git_blob_lookup(&blob, gw->repo, &file->id) != 0) {
        git_fail(gw->ks, file->path ? file->path : "blob");
        return;
    }
    git_object_size_t size = git_blob_rawsize(blob);
    if (size > KEYGIT_MAX_BLOB) {
        log_warn("%s: blob larger than %u bytes skipped", file->path ? file->path : "?",
                 KEYGIT_MAX_BLOB);
        git_blob_free(blob);
        return;
    }
    char *data = g_memdup2(git_blob_rawcontent(blob), (gsize)size);
    git_blob_free(blob);
    keyscan_origin_t o = {0};
    fill_origin(&o, c);
    keyscan_submit_blob(gw->ks, g_strdup(file->path ? file->path : "?"), data, (size_t)size, &o);
    gw->blobs++;
}

static int walk_commit(gitwalk_t *gw, const git_oid *id)
{
    git_commit *c = NULL, *parent = NULL;
    git_tree *tree = NULL, *ptree = NULL;
    git_diff *diff = NULL;
    int rc = -1;
    if (git_commit_lookup(&c, gw->repo, id) != 0 || git_commit_tree(&tree, c) != 0)
        goto out;
    if (git_commit_parentcount(c) > 0 &&
        (git_commit_parent(&parent, c, 0) != 0 || git_commit_tree(&ptree, parent) != 0))
        goto out;
    git_diff_options opts;
    git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
    opts.flags |= GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
    if (git_diff_tree_to_tree(&diff, gw->repo, ptree, tree, &opts) != 0)
        goto out;
    size_t n = git_diff_num_deltas(diff);
    for (size_t i = 0; i < n; i++) {
        const git_diff_delta *d = git_diff_get_delta(diff, i);
        if (d && d->status != GIT_DELTA_DELETED)
            queue_blob(gw, &d->new_file, c);
    }
    rc = 0;
out:
    if (rc != 0) {
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof hex, id);
        git_fail(gw->ks, hex);
    }
    git_diff_free(diff);
    git_tree_free(ptree);
    git_tree_free(tree);
    git_commit_free(parent);
    git_commit_free(c);
    return rc;
}

int keygit_scan(keyscan_t *ks, const char *path)
{
    git_libgit2_init();
    gitwalk_t gw = {.ks = ks};
    git_revwalk *walk = NULL;
    int rc = -1;
    if (git_repository_open_ext(&gw.repo, path, 0, NULL) != 0) {
        git_fail(ks, path);
        git_libgit2_shutdown();
        return -1;
    }
    gw.seen = g_hash_table_new_full(oid_hash, oid_equal, g_free, NULL);
    if (git_revwalk_new(&walk, gw.repo) != 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) != 0 ||
        git_revwalk_push_glob(walk, "refs/*") != 0) {
        git_fail(ks, path);
        goto out;
    }
    git_revwalk_push_head(walk); /* a detached HEAD; fails harmlessly when unborn */
    git_error_clear();
    git_oid id;
    unsigned long commits = 0;
    int wr;
    while ((wr = git_revwalk_next(&id, walk)) == 0) {
        walk_commit(&gw, &id);
        commits++;
    }
    if (wr != GIT_ITEROVER)
        git_fail(ks, path);
    log_info("%s: %lu commits, %lu distinct blobs", path, commits, gw.blobs);
    rc = 0;
out:
    git_revwalk_free(walk);
    g_hash_table_destroy(gw.seen);
    git_repository_free(gw.repo);
    git_libgit2_shutdown();
    return rc;
}
