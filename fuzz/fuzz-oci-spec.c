/* fuzz-oci-spec - libFuzzer target: an OCI bundle's config.json through the
 * spec parser (json-c, every member's checks, mount options, the process). */
#include "autoconf.h"

#include <stdint.h>

#include "oci_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec s;
	struct oci_process p;
	struct sbx_error e = { 0 };

	oci_spec_parse((const char *)data, size, "/bundle", &s, &e);
	oci_spec_free(&s);
	oci_process_parse((const char *)data, size, &p, &e);
	oci_process_free(&p);
	return 0;
}
