/* doctor.h - `sbx doctor`: what this host allows sbx to do, each thing tried for real */
#pragma once

/**
 * doctor_main() - the `sbx doctor [--json]` verb
 * Return: 0 when sbx's defaults work here, 1 when not, 125 on bad usage
 */
int doctor_main(int argc, char **argv);
