/* doctor_sandbox.h - `sbx doctor`: sbx itself, run with its defaults and features */
#pragma once

#include "doctor_report.h"

/**
 * doctor_check_sandboxes() - run sbx itself (/proc/self/exe) with the
 *			      defaults, with an overlay, an idmapped bind and
 *			      --net slirp, each on `true`
 */
void doctor_check_sandboxes(struct doctor_report *r);
