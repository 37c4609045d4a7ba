/*
 * identity.c - sender identities; see identity.h.
 */
#include "intel/identity.h"

#include <string.h>

#include "intel/domain.h"

static const char *const role_names[] = {"from", "reply-to", "sender", "return-path", "dkim"};

const char *identity_role_name(identity_role_t r)
{
    return (unsigned)r < G_N_ELEMENTS(role_names) ? role_names[r] : "unknown";
}

static void identity_free(gpointer p)
{
    identity_t *id = p;
    g_free(id->address);
    g_free(id->display_name);
    g_free(id->display_norm);
    g_free(id->display_skeleton);
    g_free(id->domain);
    g_free(id->domain_unicode);
    g_free(id->org_domain);
    g_free(id);
}

static void set_domain(identity_t *id, const char *dom)
{
    if (dom == NULL || *dom == '\0')
        return;
    domain_info_t di;
    domain_info(dom, &di);
    id->domain = g_strdup(di.ascii);
    id->domain_unicode = g_strdup(di.unicode);
    id->org_domain = di.org ? g_strdup(di.org) : NULL;
    id->idn = di.idn;
    domain_info_clear(&di);
}

static identity_t *make(identity_role_t role, const char *addr, const char *name)
{
    identity_t *id = g_new0(identity_t, 1);
    id->role = role;
    id->address = g_strdup(addr ? addr : "");
    id->display_name = g_strdup(name ? name : "");
    id->display_norm = normalise_text(id->display_name, &id->display_flags);
    id->display_skeleton = normalise_skeleton(id->display_name);
    char *dom = domain_of_address(id->address);
    set_domain(id, dom);
    g_free(dom);
    return id;
}

static void add_list(GPtrArray *out, identity_role_t role, const GPtrArray *addrs)
{
    for (guint i = 0; i < addrs->len; i++) {
        const mail_addr_t *a = addrs->pdata[i];
        g_ptr_array_add(out, make(role, a->address, a->display_name));
    }
}

GPtrArray *identity_collect(const mail_msg_t *m)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(identity_free);
    add_list(out, ID_FROM, m->from);
    add_list(out, ID_REPLY_TO, m->reply_to);
    add_list(out, ID_SENDER, m->sender);
    if (m->return_path && *m->return_path)
        g_ptr_array_add(out, make(ID_RETURN_PATH, m->return_path, NULL));
    for (guint i = 0; i < m->dkim_domains->len; i++) {
        identity_t *id = g_new0(identity_t, 1);
        id->role = ID_DKIM;
        id->address = g_strdup("");
        id->display_name = g_strdup("");
        id->display_norm = g_strdup("");
        id->display_skeleton = g_strdup("");
        set_domain(id, m->dkim_domains->pdata[i]);
        g_ptr_array_add(out, id);
    }
    return out;
}

const identity_t *identity_find(const GPtrArray *ids, identity_role_t role)
{
    for (guint i = 0; i < ids->len; i++) {
        const identity_t *id = ids->pdata[i];
        if (id->role == role)
            return id;
    }
    return NULL;
}
