/* doctor_kernel.h - `sbx doctor`: the kernel's checks */
#pragma once

#include "doctor_report.h"

/**
 * doctor_check_kernel() - user namespaces (and the sysctls and AppArmor rule
 *			   behind them), Landlock, seccomp, mount API: each
 *			   tried in a throwaway child
 */
void doctor_check_kernel(struct doctor_report *r);
