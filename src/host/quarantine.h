/*
 * Quarantine: a patch that crashed the machine is not loaded again at boot.
 * Every load is recorded (ROOT/loads/NAME: the boot's id and the time) before
 * the kernel sees the module. The record is settled (removed) once the patch
 * has run for the window (a transient systemd timer runs `lpatch quarantine
 * --settle`; `lpatch status --prometheus` settles too), or when the machine
 * shuts down cleanly (lpatch.service's ExecStop). A record of an earlier boot
 * still there at boot means that boot ended without a clean shutdown within
 * the window after the load: `load --all` quarantines the patch
 * (ROOT/quarantine/NAME, saying why) and skips it until
 * `lpatch quarantine --lift NAME`.
 */
#ifndef LPATCH_HOST_QUARANTINE_H
#define LPATCH_HOST_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>

#define QUARANTINE_DEFAULT_WINDOW 300	/* seconds after a load a crash counts */

/* $LPATCH_QUARANTINE_WINDOW (1..86400), else QUARANTINE_DEFAULT_WINDOW. */
unsigned quarantine_window(void);
/* Record a load of patch name about to happen; 0, or -1 with the error printed. */
int quarantine_note_load(const char *root, const char *name);
/* Forget the load record of name (the module went away, or settled). */
void quarantine_forget(const char *root, const char *name);
/* Forget the quarantine of name, if any (it is no longer installed for any release). */
void quarantine_drop(const char *root, const char *name);
/* Ask systemd to settle this load after the window (quiet; nothing when there is no systemd). */
void quarantine_schedule_settle(const char *root);
/* Settle the records of this boot older than the window (all of them when
 * clean_shutdown); returns how many were settled. */
size_t quarantine_settle(const char *root, bool clean_shutdown);
/* At boot: quarantine the patches of records left by an earlier boot; returns
 * their names (caller frees each and the array), *n their number. */
char **quarantine_boot_check(const char *root, size_t *n);
/* Is patch name (either spelling) quarantined? *why (may be NULL) the reason; caller frees. */
bool quarantine_is(const char *root, const char *name, char **why);
/* Lift it: 0, LP_EXIT_REFUSED when it is not quarantined, LP_EXIT_FAIL (printed). */
int quarantine_lift(const char *root, const char *name);
/* The quarantined patches, sorted; caller frees each and the array. */
char **quarantine_list(const char *root, size_t *n);

#endif
