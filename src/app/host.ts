/**
 * What a shell hands the application: the process's streams, environment, working folder,
 * stop signals and exit status. The `oq` command hands over `process` itself; a test hands a
 * stand-in (test/support/oqInProcess.ts) and runs the whole command in process. Nothing below
 * the shells reaches for `process`'s streams, environment or exit status itself, so that the
 * two behave the same (docs/ARCHITECTURE.md).
 */
export type Host = Pick<
  NodeJS.Process,
  "stdout" | "stderr" | "stdin" | "env" | "cwd" | "on" | "off" | "once" | "exit" | "exitCode"
>;
