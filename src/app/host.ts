/**
 * What a shell hands the application: the process's streams, environment, working folder,
 * stop signals and exit status. The `oq` command hands over `process` itself; a test hands a
 * stand-in (test/support/oqInProcess.ts) and runs the whole command in process. Nothing below
 * the shells reaches for `process`'s streams, environment or exit status itself, so that the
 * two behave the same (docs/ARCHITECTURE.md).
 *
 * One thing a host cannot stand in for: the working folder and the temporary folder. Node
 * resolves a relative path (a query file, `--out`) against the process's folder, and `os.tmpdir()`
 * reads the process's TMPDIR, so `cwd()` must be the process's folder: a stand-in runs the
 * command with the process in its folder (oqInProcess.ts changes it for the run, one run at a
 * time), and a test of TMPDIR starts a process (plan.e2e.test.ts).
 */
export type Host = Pick<
  NodeJS.Process,
  "stdout" | "stderr" | "stdin" | "env" | "cwd" | "on" | "off" | "once" | "exit" | "exitCode"
>;
