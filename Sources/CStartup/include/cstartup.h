/* Nothing to import: the target only replaces a start-up hook of the Swift runtime (argv.c). */
