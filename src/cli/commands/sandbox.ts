import type { Host } from "../../app/host.js";
import { isListId } from "../../client/listId.js";
import { parseFaults } from "../../sandbox/faults.js";
import { parseReadings } from "../../sandbox/readings.js";
import { startSandbox } from "../../sandbox/server.js";
import { parseCliDuration } from "../../runner/durations.js";
import { exitCodes } from "../../app/exitCodes.js";
import { UsageError } from "../../app/usageError.js";
import { portFlag, portUnavailable } from "../portFlag.js";
import { wholeNumberFlag } from "../wholeNumberFlag.js";

interface SandboxCommandOptions {
  port: string;
  contacts: string;
  seed: string;
  buildTime: string;
  faults?: string;
  reading?: string;
  listId: string;
  maxBody: string;
}

/** `oq sandbox`: a local Ongage-compatible server, until Ctrl-C. */
export async function sandboxCommand(options: SandboxCommandOptions, host: Host): Promise<number> {
  const buildTimeMs = parseCliDuration(options.buildTime);
  if (buildTimeMs === undefined)
    throw new UsageError(`--build-time takes a duration such as 2s, not '${options.buildTime}'`);
  let faults;
  try {
    faults = options.faults ? parseFaults(options.faults) : {};
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let readings;
  try {
    readings = options.reading === undefined ? [] : parseReadings(options.reading);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!isListId(options.listId))
    throw new UsageError(`--list-id takes a list id (digits, such as 12345), not '${options.listId}'`);
  const port = portFlag(options.port);
  let sandbox;
  try {
    sandbox = await startSandbox({
      port,
      contacts: wholeNumberFlag("--contacts", options.contacts),
      seed: wholeNumberFlag("--seed", options.seed),
      buildTimeMs,
      faults,
      readings,
      listId: options.listId,
      maxBodyBytes: wholeNumberFlag("--max-body", options.maxBody),
    });
  } catch (error) {
    const unavailable = portUnavailable(error, port);
    if (unavailable === undefined) throw error;
    host.stderr.write(unavailable);
    return exitCodes.failed;
  }
  const { credentials } = sandbox;
  host.stdout.write(
    [
      `Ongage sandbox on ${sandbox.url}, list ${sandbox.listId}, ${sandbox.contacts.size.toLocaleString("en-US")} contacts. Point oq at it with:`,
      ...(readings.length > 0
        ? [
            `It reads criteria with the ${readings.length === 1 ? "reading" : "readings"} ${readings.join(", ")}, not as documented (docs/sandbox.md).`,
          ]
        : []),
      "",
      `  export ONGAGE_BASE_URL=${sandbox.url}`,
      `  export ONGAGE_LIST_ID=${sandbox.listId}`,
      `  export ONGAGE_USERNAME=${credentials.username}`,
      `  export ONGAGE_PASSWORD=${credentials.password}`,
      `  export ONGAGE_ACCOUNT_CODE=${credentials.accountCode}`,
      "",
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => host.once("SIGINT", resolve).once("SIGTERM", resolve));
  await sandbox.close();
  return exitCodes.ok;
}
