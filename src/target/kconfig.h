/* Kernel .config files: comparing two, and what they say about the build. */
#ifndef LPATCH_TARGET_KCONFIG_H
#define LPATCH_TARGET_KCONFIG_H

/*
 * Options of want (the target's config) that have in a tree disagrees with:
 * a value set differently, or an option set in want but not in have.
 * Options only have sets are not counted (Debian's shipped config leaves out
 * a few that olddefconfig adds back), nor those that depend on the host's
 * pahole (BTF), which change no object code. Returns the count, -1 when a
 * file cannot be read (error printed); *report (if not NULL) gets one line
 * per difference, the first few. Caller frees.
 */
int config_diff(const char *want, const char *have, char **report);

/* Value of CONFIG_<name> in config ("y", a number, a string with its
 * quotes removed); NULL when not set. Caller frees. */
char *config_value(const char *config, const char *name);

/* The compiler the config was made with, from CONFIG_CC_VERSION_TEXT
 * ("gcc-12 (Debian 12.2.0-14) 12.2.0" -> "gcc-12"); NULL if unknown. */
char *config_cc(const char *config);

#endif
