/* Debian's kernels as a target provider: "debian:cloud", "debian:RELEASE", ... */
#ifndef LPATCH_TARGET_DEBIAN_PROVIDER_H
#define LPATCH_TARGET_DEBIAN_PROVIDER_H

#include "target/target.h"

extern const struct target_provider debian_provider;
extern const struct target_provider debian13_provider;

/* The provider's list (list.c): "debian:cloud" with "all" is every release
 * of the flavour and series linux-image-cloud-amd64 follows that has its
 * -dbg package in the apt lists, newest first, as debian:RELEASE specs. */
int debian_target_list(const char *spec, const char *which, char ***specs, size_t *n);

#endif
