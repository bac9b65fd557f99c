// SPDX-License-Identifier: GPL-2.0-only
/* Memory work: cache-pressure (read-modify-write over a buffer), page-fault-churn. */
#include "work.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int work_cache_pressure(struct worker *w)
{
	size_t size = (size_t)kt_work_param_u64(w->g, "size");
	size_t stride = (size_t)kt_work_param_u64(w->g, "stride");
	volatile uint8_t *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (buf == MAP_FAILED) {
		work_error(w, "cache-pressure: mmap %zu bytes: %s", size, strerror(errno));
		return -1;
	}
	while (!stopping(w)) {
		for (size_t off = 0; off < size && !stopping(w); off += stride) {
			buf[off]++;
			work_done(w, 1);
		}
		w->iterations++;
	}
	meas_numa(w);	/* where the buffer's pages are, before they go */
	munmap((void *)buf, size);
	return 0;
}

int work_page_fault_churn(struct worker *w)
{
	size_t size = (size_t)kt_work_param_u64(w->g, "size");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	while (!stopping(w)) {
		volatile uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			work_error(w, "page-fault-churn: mmap %zu bytes: %s", size, strerror(errno));
			return -1;
		}
		for (size_t off = 0; off < size && !stopping(w); off += page) {
			p[off] = 1;	/* first touch: one page fault */
			work_done(w, 1);
		}
		if (stopping(w))
			meas_numa(w);	/* the last region, still mapped */
		if (munmap((void *)p, size)) {
			work_error(w, "page-fault-churn: munmap: %s", strerror(errno));
			return -1;
		}
		w->iterations++;
	}
	return 0;
}
