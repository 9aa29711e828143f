/* sockmsg.c -- see sockmsg.h. */
#include "sockmsg.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

void out_msg_free(struct out_msg *m)
{
    if (m->hold >= 0)
        close(m->hold);
    for (int i = 0; i < m->nfds; i++)
        close(m->fds[i]);
    free(m->data);
    free(m->control);
}

ssize_t out_msg_send(int sock, const struct out_msg *m, int flags)
{
    struct iovec iov = { .iov_base = m->data, .iov_len = m->len };
    struct msghdr mh = { .msg_name = m->namelen ? (void *)&m->name : NULL, .msg_namelen = m->namelen,
                         .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = m->controllen ? m->control : NULL, .msg_controllen = m->controllen };
    return sendmsg(sock, &mh, flags);
}

long out_msg_copy_data(const sandlock_host *host, sandlock_handle h, uint64_t iov_addr, size_t iovlen,
                       const struct iovec *one, size_t room, struct out_msg *m)
{
    if (iovlen > MAX_IOV)
        return -EMSGSIZE;
    struct iovec iov[MAX_IOV];
    ssize_t n = 0;
    if (one)
        iov[0] = *one;
    else if (iovlen && (n = host->mem_read(h, iov_addr, iov, iovlen * sizeof(iov[0]))) < 0)
        return n;
    size_t total = 0;
    for (size_t i = 0; i < iovlen; i++)
        if (iov[i].iov_len > room || (total += iov[i].iov_len) > room)
            return -EMSGSIZE;
    if (!(m->data = malloc(total ? total : 1)))
        return -ENOMEM;
    for (size_t i = 0, at = 0; i < iovlen; at += iov[i].iov_len, i++)
        if (iov[i].iov_len &&
            (n = host->mem_read(h, (uint64_t)(uintptr_t)iov[i].iov_base, m->data + at, iov[i].iov_len)) < 0)
            return n;
    m->len = total;
    return 0;
}

/* What the deputy runs: the sends, each result into the outcome. */
struct deputy_sends {
    int sock, flags;
    const struct out_msg *msg;
    size_t from, n;
    struct out_msg_outcome *o;
};

static int send_in_deputy(void *arg)
{
    const struct deputy_sends *d = arg;
    size_t i = d->from;
    d->o->err = 0;
    for (; i < d->n; i++) {
        ssize_t sent = out_msg_send(d->sock, &d->msg[i], d->flags);
        if (sent < 0) {
            d->o->err = errno;
            break;
        }
        d->o->len[i] = (unsigned)sent;
    }
    d->o->done = i;
    return 0;
}

/* The most descriptors a deputy keeps (host ABI 1.8). */
#define DEPUTY_MAX_KEEP 512

int out_msg_send_deputy(const sandlock_host *host, sandlock_handle h, int sock, const struct out_msg *msg,
                        size_t from, size_t n, int flags, struct out_msg_outcome *o)
{
    if (n > MAX_MMSG || from > n)
        return -EINVAL;
    int *keep = malloc(DEPUTY_MAX_KEEP * sizeof(int));
    if (!keep)
        return -ENOMEM;
    size_t nkeep = 0;
    keep[nkeep++] = sock;
    for (size_t i = from; i < n; i++) {
        if (nkeep + 1 + (size_t)msg[i].nfds > DEPUTY_MAX_KEEP) {
            free(keep);
            return -ETOOMANYREFS;
        }
        keep[nkeep++] = msg[i].hold;
        for (int k = 0; k < msg[i].nfds; k++)
            keep[nkeep++] = msg[i].fds[k];
    }
    struct deputy_sends d = { sock, flags, msg, from, n, o };
    int rc = host->run_in_deputy(h, keep, nkeep, send_in_deputy, &d, o, sizeof(*o));
    free(keep);
    if (rc == 0 && (o->done < from || o->done > n))
        rc = -EIO;                 /* (the child cannot write the outcome) */
    return rc;
}
