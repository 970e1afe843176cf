/*
 * The contract between the Swift runtime and swiftlet-init (the container's PID 1).
 *
 * The runtime sets the container up (namespaces, mounts, pivot_root) in a cloned child, then
 * executes swiftlet-init from a sealed memfd with argv = { "swiftlet-init", "<plan fd>" }. The
 * plan fd (a memfd, read from offset 0 to EOF) holds a sequence of records:
 *
 *     struct swl_record { uint32_t tag; uint32_t len; } followed by `len` payload bytes.
 *
 * Integers are native-endian (the runtime and the init always run on the same machine).
 * Strings are NUL-terminated and `len` includes the NUL. Repeated tags append, in order.
 * The first record must be SWL_P_MAGIC with payload SWL_PLAN_MAGIC/SWL_PLAN_VERSION.
 * An unknown tag is an error (the runtime and the init are built together).
 *
 * Messages on the sync socket and on the start socket are fixed-size `struct swl_msg`
 * datagrams (SOCK_SEQPACKET).
 */
#ifndef SWIFTLET_PLAN_H
#define SWIFTLET_PLAN_H

#include <stdint.h>

#define SWL_PLAN_MAGIC   0x544c5753u /* "SWLT" */
#define SWL_PLAN_VERSION 1u

enum swl_plan_tag {
    SWL_P_MAGIC          = 1,  /* u32 magic, u32 version */
    SWL_P_MODE           = 2,  /* u32 enum swl_mode */
    SWL_P_SYNC_FD        = 3,  /* i32: socket to the runtime; READY/ERROR sent here, then closed */
    SWL_P_START_FD       = 4,  /* i32: listening SOCK_SEQPACKET socket; absent: start at once */
    SWL_P_ARG            = 5,  /* string, repeated: argv of the user's process */
    SWL_P_ENV            = 6,  /* string, repeated: "KEY=value" */
    SWL_P_EXEC_PATH      = 7,  /* string: resolved absolute path of argv[0] inside the container */
    SWL_P_CWD            = 8,  /* string: absolute, already exists */
    SWL_P_UID            = 9,  /* u32 */
    SWL_P_GID            = 10, /* u32 */
    SWL_P_GROUPS         = 11, /* u32 array (len/4 entries); absent: setgroups(0, NULL) */
    SWL_P_UMASK          = 12, /* u32; absent: 0022 */
    SWL_P_CAPS           = 13, /* 5 x u64: bounding, effective, permitted, inheritable, ambient */
    SWL_P_NO_NEW_PRIVS   = 14, /* no payload */
    SWL_P_RLIMIT         = 15, /* u32 resource, u32 pad, u64 soft, u64 hard; repeated */
    SWL_P_SECCOMP        = 16, /* u32 flags (SECCOMP_FILTER_FLAG_*), u32 pad, then struct sock_filter[] */
    SWL_P_APPARMOR       = 17, /* string: profile name, written as "exec <name>" before execve */
    SWL_P_SELINUX        = 18, /* string: label written to /proc/self/attr/exec */
    SWL_P_TERMINAL_FD    = 19, /* i32: pty slave; becomes fds 0-2 and the controlling terminal */
    SWL_P_PRESERVE_FDS   = 20, /* u32 n: fds 3..3+n-1 stay open in the user's process */
    SWL_P_SUBREAPER      = 21, /* no payload: no new pid namespace, become a child subreaper */
    SWL_P_PDEATHSIG      = 22, /* u32 signal sent to the user's process if PID 1 dies */
    SWL_P_PERSONALITY    = 23, /* u32 personality(2) domain */
    SWL_P_SCHEDULER      = 24, /* u32 policy, i32 nice, i32 priority, u32 pad, u64 flags, u64 runtime, u64 deadline, u64 period */
    SWL_P_IOPRIO         = 25, /* u32 class, u32 priority */
    SWL_P_CPU_AFFINITY   = 26, /* cpu_set_t bytes applied right before execve */
    SWL_P_OOM_SCORE_ADJ  = 27, /* i32 */
    SWL_P_NOTIFY_FD      = 28, /* i32: connected SOCK_STREAM socket to linux.seccomp.listenerPath; right
                                  after loading a filter with SECCOMP_FILTER_FLAG_NEW_LISTENER the
                                  process sends SWL_P_NOTIFY_STATE on it with the listener fd
                                  attached (SCM_RIGHTS). Requires SWL_P_NOTIFY_STATE. */
    SWL_P_HOOK           = 29, /* startContainer hook, repeated, run in order after START and before
                                  the process: u32 timeout seconds (0: none), u32 argc, u32 envc,
                                  u32 pad, then path, argc args and envc env strings, each NUL-ended */
    SWL_P_HOOK_STATE     = 30, /* string: the state JSON the hooks get on stdin */
    SWL_P_NOTIFY_STATE   = 31, /* string: the container process state JSON for SWL_P_NOTIFY_FD */
    SWL_P_PROC_FD        = 32, /* i32: root of the runtime's private procfs instance (detached, never
                                  visible in the container, verified PROC_SUPER_MAGIC). Every /proc
                                  access of the init and of the process before execve goes through
                                  it (attr files, setgroups, cap_last_cap, fd/); the init closes it once
                                  the process runs. Absent: the init refuses /proc-dependent steps. */
    SWL_P_NULL_FD        = 33, /* i32: the null device (char 1:3), opened and verified by the runtime
                                  before the container's mounts: replaces stdio, never looked up in
                                  the container's /dev */
};

enum swl_mode {
    SWL_MODE_SUPERVISE = 1, /* stay PID 1: fork the process, forward signals, reap, exit with its status */
    SWL_MODE_DIRECT    = 2, /* apply the process settings and execve in place (no init process) */
};

enum swl_msg_type {
    SWL_MSG_READY    = 1, /* init -> runtime: set up and waiting for start; pid = init's pid */
    SWL_MSG_ERROR    = 2, /* either way: err = errno (0 if none), text = what failed */
    SWL_MSG_START    = 3, /* start command -> init: run the process now */
    SWL_MSG_STARTED  = 4, /* init -> start command: process exec'd; pid = its pid (host view unknown) */
    SWL_MSG_GO       = 5, /* runtime -> child: id maps written / continue */
    SWL_MSG_CONSOLE  = 6, /* child -> runtime: pty master attached with SCM_RIGHTS */
    SWL_MSG_CHILD_PID = 7, /* stage-1 child -> runtime: grandchild pidfd attached with SCM_RIGHTS; pid = its pid */
    SWL_MSG_NEED_MAPS = 8, /* child -> runtime: user namespace unshared, write uid_map/gid_map */
    SWL_MSG_HOOKS    = 9, /* child -> runtime: mounts done, run prestart/createRuntime hooks, then GO */
    SWL_MSG_NEED_SOURCES = 10, /* child -> runtime: in a user namespace, open the bind sources; pid = child */
    SWL_MSG_MOUNT_SOURCE = 11, /* runtime -> child: step = mounts index; the O_PATH source attached,
                                  or err + text when it could not be opened; GO after the last */
};

#define SWL_MSG_TEXT 496

struct swl_msg {
    uint32_t type;
    int32_t  err;
    int32_t  pid;
    uint32_t step;
    char     text[SWL_MSG_TEXT];
};

#endif
