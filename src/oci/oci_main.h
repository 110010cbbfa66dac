/* oci_main.h - `sbx oci` / `sbx-oci`: the OCI runtime command line */
#pragma once

/**
 * oci_main() - the oci verb: global options, then one runc-style command
 * @argv:	argv[0] is the verb ("oci" or the program name sbx-oci)
 * Return: the exit status (the container's under run and exec; 1 or the
 *	   error's own status when sbx-oci failed)
 */
int oci_main(int argc, char **argv);
