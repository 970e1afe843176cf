/*
 * A classic-BPF evaluator for seccomp filters, and the syscalls swiftlet-init still makes once
 * it supervises the process. Header-only (static functions), so that swiftlet-init (static C,
 * musl) and the Swift unit tests (through the CSwiftlet module) run the very same code.
 *
 * swiftlet-init applies the container's filter to itself only when the filter provably allows
 * every syscall the init still needs (docs/security.md "PID 1 keeps no more than the
 * container"). "Provably" means: run the filter the way the kernel would for a struct
 * seccomp_data of the native architecture and that syscall number, and get SECCOMP_RET_ALLOW
 * on a path that never looked at the instruction pointer or an argument (the init's arguments
 * vary, so a verdict that depends on them proves nothing). Anything else (another action, a
 * program this evaluator does not understand) means "not proven": the init then goes without
 * the filter rather than risk being killed by it.
 *
 * The instruction set is what the kernel accepts in a seccomp filter (seccomp_check_filter):
 * LD/LDX (ABS 32-bit words of seccomp_data, IMM, MEM, LEN), ST/STX, ALU, JMP, RET, TAX/TXA.
 * Jumps only go forward, so a program ends after at most `count` steps.
 */
#ifndef SWIFTLET_SECCOMP_EVAL_H
#define SWIFTLET_SECCOMP_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

/* AUDIT_ARCH_* of the architecture this file is compiled for (linux/audit.h); 0: unknown. */
#if defined(__x86_64__)
#define SWL_AUDIT_ARCH_NATIVE 0xc000003eu /* AUDIT_ARCH_X86_64: EM_X86_64 | 64BIT | LE */
#elif defined(__aarch64__)
#define SWL_AUDIT_ARCH_NATIVE 0xc00000b7u /* AUDIT_ARCH_AARCH64: EM_AARCH64 | 64BIT | LE */
#else
#define SWL_AUDIT_ARCH_NATIVE 0u
#endif

#define SWL_SECCOMP_RET_ACTION_FULL 0xffff0000u /* SECCOMP_RET_ACTION_FULL */
#define SWL_SECCOMP_RET_ALLOW       0x7fff0000u /* SECCOMP_RET_ALLOW */

/* What swl_seccomp_eval found out. */
enum swl_seccomp_eval_result {
    SWL_EVAL_RETURNED = 0,  /* *ret is the filter's return value, whatever the arguments */
    SWL_EVAL_USES_ARGS = 1, /* *ret is set, but the path read the instruction pointer or an
                               argument: another call of the same syscall may differ */
    SWL_EVAL_INVALID = -1,  /* not a program the kernel would accept (or not understood) */
};

/*
 * Runs the classic-BPF seccomp program `insns` (`count` struct sock_filter, 8 bytes each, in
 * native byte order, any alignment) for syscall `nr` of architecture `arch` with zero
 * arguments and instruction pointer.
 */
static inline int swl_seccomp_eval(const void *insns, size_t count, uint32_t arch, int32_t nr,
                                   uint32_t *ret)
{
    /* struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
    enum { DATA_SIZE = 64, ARGS_FROM = 8 };
    uint32_t a = 0, x = 0, mem[16];
    int uses_args = 0;
    memset(mem, 0, sizeof mem);
    *ret = 0;
    if (insns == NULL || count == 0 || count > 4096) /* BPF_MAXINSNS */
        return SWL_EVAL_INVALID;
    for (size_t pc = 0; pc < count; pc++) {
        /* struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } */
        const unsigned char *raw = (const unsigned char *)insns + pc * 8;
        uint16_t code;
        uint8_t jt = raw[2], jf = raw[3];
        uint32_t k;
        memcpy(&code, raw, sizeof code);
        memcpy(&k, raw + 4, sizeof k);
        const uint32_t src = (code & 0x08) ? x : k; /* BPF_X : BPF_K */
        switch (code & 0x07) {                      /* BPF_CLASS */
        case 0x00:                                  /* BPF_LD */
        case 0x01: {                                /* BPF_LDX */
            uint32_t v;
            switch (code & 0xe0) { /* BPF_MODE */
            case 0x20:             /* BPF_ABS: 32-bit words only (BPF_W) */
                if ((code & 0x18) != 0 || (code & 0x07) != 0x00 || (k & 3) != 0 || k >= DATA_SIZE)
                    return SWL_EVAL_INVALID;
                if (k >= ARGS_FROM) {
                    uses_args = 1;
                    v = 0;
                } else {
                    v = k == 0 ? (uint32_t)nr : arch;
                }
                break;
            case 0x00: v = k; break; /* BPF_IMM */
            case 0x60:               /* BPF_MEM */
                if (k >= 16)
                    return SWL_EVAL_INVALID;
                v = mem[k];
                break;
            case 0x80: v = DATA_SIZE; break; /* BPF_LEN */
            default: return SWL_EVAL_INVALID;
            }
            if ((code & 0x07) == 0x00)
                a = v;
            else
                x = v;
            break;
        }
        case 0x02: /* BPF_ST */
        case 0x03: /* BPF_STX */
            if (k >= 16)
                return SWL_EVAL_INVALID;
            mem[k] = (code & 0x07) == 0x02 ? a : x;
            break;
        case 0x04: /* BPF_ALU */
            switch (code & 0xf0) {
            case 0x00: a += src; break;
            case 0x10: a -= src; break;
            case 0x20: a *= src; break;
            case 0x30: /* BPF_DIV: by zero the kernel ends the program with 0 (KILL) */
                if (src == 0) {
                    *ret = 0;
                    return uses_args ? SWL_EVAL_USES_ARGS : SWL_EVAL_RETURNED;
                }
                a /= src;
                break;
            case 0x40: a |= src; break;
            case 0x50: a &= src; break;
            case 0x60: /* BPF_LSH */
            case 0x70: /* BPF_RSH */
                if (src >= 32)
                    return SWL_EVAL_INVALID; /* refused for K; unspecified for X */
                a = (code & 0xf0) == 0x60 ? a << src : a >> src;
                break;
            case 0x80: a = 0u - a; break; /* BPF_NEG */
            case 0x90:                    /* BPF_MOD */
                if (src == 0) {
                    *ret = 0;
                    return uses_args ? SWL_EVAL_USES_ARGS : SWL_EVAL_RETURNED;
                }
                a %= src;
                break;
            case 0xa0: a ^= src; break;
            default: return SWL_EVAL_INVALID;
            }
            break;
        case 0x05: { /* BPF_JMP */
            size_t off;
            switch (code & 0xf0) {
            case 0x00: off = k; break; /* BPF_JA */
            case 0x10: off = a == src ? jt : jf; break;
            case 0x20: off = a > src ? jt : jf; break;
            case 0x30: off = a >= src ? jt : jf; break;
            case 0x40: off = (a & src) ? jt : jf; break;
            default: return SWL_EVAL_INVALID;
            }
            if (off >= count - pc - 1)
                return SWL_EVAL_INVALID; /* past the last instruction */
            pc += off;
            break;
        }
        case 0x06: /* BPF_RET */
            switch (code & 0x18) {
            case 0x00: *ret = k; break; /* BPF_K */
            case 0x10: *ret = a; break; /* BPF_A */
            default: return SWL_EVAL_INVALID;
            }
            return uses_args ? SWL_EVAL_USES_ARGS : SWL_EVAL_RETURNED;
        case 0x07: /* BPF_MISC */
            if ((code & 0xf8) == 0x00)
                x = a; /* BPF_TAX */
            else if ((code & 0xf8) == 0x80)
                a = x; /* BPF_TXA */
            else
                return SWL_EVAL_INVALID;
            break;
        }
    }
    return SWL_EVAL_INVALID; /* fell off the end: the kernel requires a final RET */
}

/*
 * 1 if the filter returns SECCOMP_RET_ALLOW, independently of the arguments, for each of the
 * `n` syscalls in `nrs` on architecture `arch`; else 0, with *refused set to the first syscall
 * that is not proven allowed (-1 if the program itself is not understood).
 */
static inline int swl_seccomp_allows_all(const void *insns, size_t count, uint32_t arch,
                                         const int32_t *nrs, size_t n, int32_t *refused)
{
    *refused = -1;
    if (arch == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t ret;
        int r = swl_seccomp_eval(insns, count, arch, nrs[i], &ret);
        if (r == SWL_EVAL_INVALID)
            return 0;
        if (r != SWL_EVAL_RETURNED || (ret & SWL_SECCOMP_RET_ACTION_FULL) != SWL_SECCOMP_RET_ALLOW) {
            *refused = nrs[i];
            return 0;
        }
    }
    return 1;
}

/* Numbers are the same on every architecture that has them (the unified syscall table). */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

#define SWL_INIT_SYSCALLS_MAX 8

/*
 * The syscalls swiftlet-init makes from the moment it loads its own filter until it exits
 * (supervise.c: poll, read of the signalfd, waitid, forwarding, _exit), in the order they
 * first happen. with_pidfd: signals are forwarded with pidfd_send_signal, else kill.
 * poll and ppoll are both listed where the architecture has poll: libcs differ in which one
 * poll(3) uses. restart_syscall: a blocking call interrupted by a stop/freeze is resumed
 * through it. Returns how many numbers it wrote to out.
 */
static inline size_t swl_init_supervise_syscalls(int with_pidfd, int32_t out[SWL_INIT_SYSCALLS_MAX])
{
    size_t n = 0;
#ifdef __NR_poll
    out[n++] = __NR_poll;
#endif
    out[n++] = __NR_ppoll;
    out[n++] = __NR_read;
    out[n++] = __NR_waitid;
    out[n++] = with_pidfd ? __NR_pidfd_send_signal : __NR_kill;
    out[n++] = __NR_exit_group;
    out[n++] = __NR_restart_syscall;
    return n;
}

#endif
