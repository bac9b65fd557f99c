// SPDX-License-Identifier: GPL-2.0-only
#include "exec.h"

#include <string.h>

int kt_enc_exec_done(struct kt_wbuf *out, uint32_t seq, const struct kt_exec_done *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, (uint32_t)m->code);
	kt_put_u32(&p, (uint32_t)m->signo);
	return kt_frame_finish(out, KT_MSG_EXEC_DONE, seq, &p);
}

int kt_dec_exec_done(const struct kt_frame *f, struct kt_exec_done *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->code = (int32_t)kt_get_u32(&r);
	m->signo = (int32_t)kt_get_u32(&r);
	/* Untrusted: a status no process can have makes the frame malformed. */
	if (m->code < -1 || m->code > 255 || m->signo < 0 || m->signo > 127 ||
	    (m->code == -1) != (m->signo != 0))
		r.err = 1;
	return r.err ? -1 : 0;
}

int kt_exec_status(const struct kt_exec_done *m)
{
	if (m->code >= 0)
		return m->code & 0xff;
	return (128 + m->signo) & 0xff;
}
