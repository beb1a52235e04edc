import type { RecoveryCommands } from "../runner/runReport.js";

/*
 * The `oq` commands that finish by hand what a run could not: the runner states what happened,
 * and the shells name the command (docs/running.md, "When things go wrong").
 */

/** A word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const oqRecoveryCommands: RecoveryCommands = {
  exportReport: ({ reportId, listId, detailed, out }) =>
    [
      "oq",
      "reports",
      "export",
      reportId,
      ...(detailed ? ["--detailed"] : []),
      ...(listId ? ["--list-id", listId] : []),
      "--out",
      out,
    ]
      .map(shellWord)
      .join(" "),
  reportList: "`oq reports list`",
};

/** The command that deletes a report the run left in Ongage (with the list the run was told to use). */
export function deleteReportCommand(reportId: string, listId: string | undefined): string {
  return ["oq", "reports", "delete", reportId, ...(listId ? ["--list-id", listId] : [])]
    .map(shellWord)
    .join(" ");
}
