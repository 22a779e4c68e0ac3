/*
 * Patches for stripped installed files (a distribution's libraries and
 * programs): symbols come from a rebuild, trusted only where its code is the
 * installed file's.
 */
#ifndef LPATCH_USER_INSTALLED_H
#define LPATCH_USER_INSTALLED_H

/*
 * Does rebuilt (with a symbol table) lay out every allocated section of
 * installed at the same address with the same size, with the same bytes in
 * every code section? LP_OK; LP_REFUSED naming the first section, address
 * and function that differ; LP_FAIL when a file cannot be read. Errors printed.
 */
int installed_same_code(const char *rebuilt, const char *installed);

#endif
