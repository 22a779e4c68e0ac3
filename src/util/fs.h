/* Files and directories: paths, whole-file I/O, atomic outputs. */
#ifndef LPATCH_UTIL_FS_H
#define LPATCH_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>

char *path_join(const char *dir, const char *name);
bool path_exists(const char *path);
bool path_is_dir(const char *path);
/* Absolute form of path (need not exist); caller frees. */
char *path_absolute(const char *path);
const char *path_basename(const char *path);
/* Directory part of path, "." when none; caller frees. */
char *path_dirname(const char *path);
/* The running program's real path (/proc/self/exe), NULL when it cannot be
 * read; caller frees. */
char *path_self_exe(void);

/* mkdir -p; 0 or -1 with an error printed. */
int mkdir_p(const char *path);
/* rm -rf; 0 or -1 with an error printed. */
int rm_rf(const char *path);
/* A fresh directory under $TMPDIR (or /tmp) named after what; caller frees. */
char *make_temp_dir(const char *what);

/* Whole file into a NUL-terminated buffer; NULL with an error printed. */
char *read_file(const char *path, size_t *len);
/* Quiet variant: NULL and errno set, nothing printed. */
char *read_file_quiet(const char *path, size_t *len);
int write_file(const char *path, const void *data, size_t len);
int copy_file(const char *from, const char *to);
/* Copy from_root/rel to to_root/rel, creating directories: 0 when copied,
 * 1 when from_root/rel does not exist (nothing printed), -1 on errors
 * (printed). */
int copy_rel(const char *from_root, const char *to_root, const char *rel);
/* fsync the file or directory at path; 0, or -1 with an error printed. */
int fsync_path(const char *path);
/* Both files readable and byte for byte the same. */
bool files_equal(const char *a, const char *b);

/*
 * Atomic output: a temporary name beside the final path. Write to
 * out->tmp, then commit (fsync, rename over the final path, fsync the
 * directory) or abort (unlink). Nothing half-written is ever left at the
 * final path, even after a power loss.
 */
struct atomic_out {
	char *path;
	char *tmp;
};
int atomic_begin(struct atomic_out *out, const char *path);
int atomic_commit(struct atomic_out *out);
void atomic_abort(struct atomic_out *out);
/* Write len bytes of data to path atomically (mode 0644); 0, or -1 with the error printed. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* Copy the file at src to path atomically. */
int atomic_install(const char *src, const char *path, unsigned mode);

#endif
