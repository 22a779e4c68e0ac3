/* lpatch status --prometheus: node_exporter's textfile-collector format. */
#ifndef LPATCH_CLI_PROMETHEUS_H
#define LPATCH_CLI_PROMETHEUS_H

#include "host/status.h"

/* Debian's prometheus-node-exporter reads /var/lib/prometheus/node-exporter/ *.prom */
#define PROM_DEFAULT_FILE "/var/lib/prometheus/node-exporter/lpatch.prom"

/* $LPATCH_PROMETHEUS_FILE, else PROM_DEFAULT_FILE; caller frees. */
char *prom_default_file(void);
/* The metrics of st at time now; caller frees. */
char *prom_text(const struct host_status *st, long long now);
/* Settle quarantine records, read the status, write file atomically ("-": stdout);
 * 0, or -1 with the error printed. */
int prom_write(const char *root, const char *file);
/* After load, unload, install, uninstall: rewrite the default file when its
 * directory exists (node_exporter installed); a failure is a warning. */
void prom_refresh(const char *root);

#endif
