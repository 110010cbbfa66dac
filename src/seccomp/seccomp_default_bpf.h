/* seccomp_default_bpf.h - the default filter, compiled when sbx was built */
#pragma once

#include <linux/filter.h>
#include <stdint.h>

struct sbx_bpf_program {
	unsigned short len;
	const struct sock_filter *insns;
};

/* Written by seccomp-gen into seccomp_default_bpf.c: one program per
 * SECCOMP_VARIANT_* combination (index = variant bits), the hand-written
 * program (numbers past the build's tables, personality()), and the native
 * audit architecture they were made for. A table of
 * zero-length programs (seccomp-gen's own build) means "generate at run time". */
extern const struct sbx_bpf_program seccomp_default_bpf[];
extern const struct sbx_bpf_program seccomp_default_numbers_bpf;
extern const uint32_t seccomp_default_bpf_arch;
