/* Debian's kernels as a target provider: "debian:cloud", "debian:RELEASE", ... */
#ifndef LPATCH_TARGET_DEBIAN_PROVIDER_H
#define LPATCH_TARGET_DEBIAN_PROVIDER_H

#include "target/target.h"

extern const struct target_provider debian_provider;
extern const struct target_provider debian13_provider;

#endif
