import type { Command } from "commander";
import { withFlags } from "../app/flags.js";
import type { Host } from "../app/host.js";

/*
 * `oq reports`: list, inspect, export and delete reports made elsewhere. main.ts adds the group
 * to the whole program; it is also built into a CommonJS bundle of its own (oqReports.ts), which
 * bin/oq.js runs for `oq reports ...`, so that an export starts without the ES module loader
 * and the other commands' chunks (BENCHMARKS.md: the export's start is part of its throughput).
 */

/** Adds the `reports` group and its commands to `program`. */
export function addReportsCommands(program: Command, host: Host): void {
  const reports = program
    .command("reports")
    .description("list, inspect, export and delete reports made elsewhere");
  withFlags(reports.command("list").description("list contact-activity reports"), "reports list").action(
    async (options) => {
      const { listReports } = await import("./commands/reports.js");
      host.exitCode = await listReports(options, host);
    },
  );
  withFlags(
    reports.command("status").description("show a report's status").argument("<id>"),
    "reports status",
  ).action(async (id: string, options) => {
    const { reportStatus } = await import("./commands/reports.js");
    host.exitCode = await reportStatus(id, options, host);
  });
  withFlags(
    reports.command("export").description("download a completed report's CSV").argument("<id>"),
    "reports export",
  ).action(async (id: string, options) => {
    const { exportReport } = await import("./commands/reports.js");
    host.exitCode = await exportReport(id, options, host);
  });
  withFlags(
    reports.command("delete").description("delete a report").argument("<id>"),
    "reports delete",
  ).action(async (id: string, options) => {
    const { deleteReport } = await import("./commands/reports.js");
    host.exitCode = await deleteReport(id, options, host);
  });
}
