/* lpatch's cache: downloaded packages, prepared targets, build roots. */
#ifndef LPATCH_UTIL_CACHE_H
#define LPATCH_UTIL_CACHE_H

/* $LPATCH_CACHE, else $XDG_CACHE_HOME/lpatch, else ~/.cache/lpatch; absolute,
 * without trailing slashes. Caller frees. */
char *lp_cache_dir(void);

#endif
