/*
 * The argument vector for Swift's `CommandLine`, handed over by the C start-up instead of
 * searched for.
 *
 * Why: the Swift runtime's own provider of `_swift_stdlib_getUnsafeArgvArgc`
 * (CommandLine.cpp in libswiftCore.a) finds argv on Linux with a global constructor that runs
 * before main in every process: it opens /proc/self/maps with stdio, parses every line with
 * sscanf to find the stack, and walks back from `environ`. That is about 56,000 instructions,
 * an open, an fstat, a read of procfs and the code and tables of glibc's scanf, in every
 * swiftlet command, each of which is one short process (docs/performance.md, round 2, fifth
 * pass). glibc already gives (argc, argv, envp) to every .init_array function of a static
 * executable (csu/libc-start.c `call_init`), so they are kept from there.
 *
 * How it replaces the runtime's: the release binary is linked statically, and the linker
 * takes a member of libswiftCore.a only for a symbol nothing before it defined. This file
 * defines both of that member's global symbols, so the member and its constructor are never
 * linked. Should a future runtime move other symbols into that member, the link fails on the
 * duplicate definitions (nothing silent); should it rename these, the member is linked again
 * and this file is unused. In the dynamically linked debug and test builds libswiftCore.so
 * keeps its own (internal) definitions and these are never called.
 */
#include "cstartup.h"

static char **start_argv;
static int start_argc;
static char **override_argv;
static int override_argc;

static void keep_arguments(int argc, char **argv, char **envp)
{
    (void)envp;
    start_argc = argc;
    start_argv = argv;
}

__attribute__((used, section(".init_array")))
static void (*const keep_arguments_entry)(int, char **, char **) = keep_arguments;

/* The runtime's contract (CommandLine.cpp): the vector is not the caller's to free and lives as
 * long as the process; an override, when set, wins. Swift calling convention, as declared by
 * the standard library. */
__attribute__((swiftcall)) char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen)
{
    static char *empty[] = { 0 };
    if (override_argv) {
        *outArgLen = override_argc;
        return override_argv;
    }
    if (!start_argv) {
        *outArgLen = 0;
        return empty;
    }
    *outArgLen = start_argc;
    return start_argv;
}

__attribute__((swiftcall)) void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc)
{
    override_argv = argv;
    override_argc = argc;
}
