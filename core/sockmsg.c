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

/* Copies the data of the iovecs; beyond `room` bytes: -EMSGSIZE, or
 * (partial) the first room bytes only. */
static long copy_data(const sandlock_host *host, sandlock_handle h, uint64_t iov_addr, size_t iovlen,
                      const struct iovec *one, size_t room, int partial, struct out_msg *m)
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
    for (size_t i = 0; i < iovlen; i++) {
        if (iov[i].iov_len > room - total) {
            if (!partial)
                return -EMSGSIZE;
            iov[i].iov_len = room - total;
        }
        total += iov[i].iov_len;
    }
    if (!(m->data = malloc(total ? total : 1)))
        return -ENOMEM;
    for (size_t i = 0, at = 0; i < iovlen; at += iov[i].iov_len, i++)
        if (iov[i].iov_len &&
            (n = host->mem_read(h, (uint64_t)(uintptr_t)iov[i].iov_base, m->data + at, iov[i].iov_len)) < 0)
            return n;
    m->len = total;
    return 0;
}

long out_msg_copy_data(const sandlock_host *host, sandlock_handle h, uint64_t iov_addr, size_t iovlen,
                       const struct iovec *one, size_t room, struct out_msg *m)
{
    return copy_data(host, h, iov_addr, iovlen, one, room, 0, m);
}

long out_msg_copy_prefix(const sandlock_host *host, sandlock_handle h, uint64_t iov_addr, size_t iovlen,
                         const struct iovec *one, size_t room, struct out_msg *m)
{
    return copy_data(host, h, iov_addr, iovlen, one, room, 1, m);
}

/* The most descriptors a deputy keeps (host ABI 1.8). */
#define DEPUTY_MAX_KEEP 512

int out_msg_send_deputy(const sandlock_host *host, sandlock_handle h, int sock, const struct out_msg *msg,
                        size_t from, size_t n, int flags, struct out_msg_outcome *o)
{
    if (n > MAX_MMSG || from > n)
        return -EINVAL;
    int *keep = malloc(DEPUTY_MAX_KEEP * sizeof(int));
    sandlock_deputy_msg *m = calloc(n - from + 1, sizeof(*m));
    int rc = keep && m ? 0 : -ENOMEM;
    size_t nkeep = 0;
    if (keep)
        keep[nkeep++] = sock;
    for (size_t i = from; !rc && i < n; i++) {
        if (nkeep + 1 + (size_t)msg[i].nfds > DEPUTY_MAX_KEEP) {
            rc = -ETOOMANYREFS;
            break;
        }
        keep[nkeep++] = msg[i].hold;
        for (int k = 0; k < msg[i].nfds; k++)
            keep[nkeep++] = msg[i].fds[k];
        m[i - from] = (sandlock_deputy_msg){
            .name = msg[i].namelen ? (const void *)&msg[i].name : NULL, .namelen = msg[i].namelen,
            .control = msg[i].controllen ? msg[i].control : NULL, .controllen = (uint32_t)msg[i].controllen,
            .data = msg[i].data, .len = msg[i].len };
    }
    if (!rc) {
        int err = 0;
        long done = host->deputy_send(h, keep, nkeep, sock, m, n - from, flags, o->len + from, &err);
        if (done < 0) {
            rc = (int)done;
        } else {
            o->done = from + (size_t)done;
            o->err = err;
        }
    }
    free(keep);
    free(m);
    return rc;
}
