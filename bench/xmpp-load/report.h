/*
 * report.h — what a run prints: its configuration first (so every figure travels with the
 * settings that produced it), the results for a reader, and one RESULT line of key=value
 * pairs for scripts (bench/run_c2s.sh reads it).
 */
#ifndef XL_REPORT_H
#define XL_REPORT_H

#include <stdio.h>

#include "run.h"

void xl_report_config(FILE *f, const xl_config *cfg);
void xl_report_results(FILE *f, const xl_run *r);

#endif
