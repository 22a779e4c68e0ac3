/*
 * The guest's /init: a busybox sh script generated for one run. It sets up
 * the guest, runs the command and reports through the serial ports:
 *   ttyS0  kernel console (loglevel 7)     -> the console log
 *   ttyS1  the command's stdout            -> lpatch vm's stdout
 *   ttyS2  the command's stderr            -> lpatch vm's stderr
 *   ttyS3  "status N" or "setup: WHAT"     -> the status file
 * then powers the machine off.
 */
#ifndef LPATCH_VM_INIT_H
#define LPATCH_VM_INIT_H

#define INIT_WORKDIR "work"		/* where the --copy files go, and the command runs */
#define INIT_BOOTMOD_DIR "lpatch/boot"	/* modules loaded to reach the modules disk */

struct init_spec {
	const char *release;		/* mount point /lib/modules/<release> */
	char *const *disk_modules;	/* guest paths of the .ko files to insmod, in order */
	char *const *argv;		/* the command */
};

/* The script text; caller frees. */
char *init_script(const struct init_spec *s);

/* Parse the status channel: 0 and *status set, 1 for a setup failure
 * (*why set: what failed), -1 when nothing came back. */
int init_parse_status(const char *text, int *status, char **why);

#endif
