/* The guest's userland: a statically linked busybox. */
#ifndef LPATCH_VM_BUSYBOX_H
#define LPATCH_VM_BUSYBOX_H

/*
 * Path of a static busybox: the host's (package busybox-static), else
 * <cache>/vm/busybox, from the busybox-static .deb (apt-get download, no
 * root needed) unpacked once into <cache>/vm/. NULL with an error.
 */
char *busybox_find(void);

#endif
