import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realClock, type Clock } from "../client/clock.js";
import { failure } from "./answers.js";
import { ContactList, sandboxDefaults } from "./data.js";
import type { Faults } from "./faults.js";
import { isReadingName, readingNames, type ReadingName } from "../language/readings.js";
import { misbehave } from "./misbehaviour.js";
import type { Report } from "./reports.js";
import { rateLimited, route } from "./routing.js";
import {
  defaultSandboxCredentials,
  SandboxState,
  type SandboxCredentials,
  type SandboxSettings,
  type SandboxStats,
} from "./state.js";

/*
 * A local server that speaks Ongage's contact-activity API over a generated contact list:
 * the same paths (with the list id prefix), auth headers, envelope, string ids and statuses,
 * rate limits, and reports that stay pending for a while. docs/sandbox.md describes it.
 * This file starts and stops it; routing.ts answers requests, streaming.ts writes exports,
 * state.ts holds what one running sandbox knows, misbehaviour.ts spoils answers on request.
 */

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  contacts?: number;
  seed?: number;
  /** The data's "now", Unix seconds. Default: the clock at start. */
  now?: number;
  /** How long a report stays pending, in milliseconds. */
  buildTimeMs?: number;
  listId?: string;
  credentials?: SandboxCredentials;
  callsPerMinute?: number;
  /** The window callsPerMinute counts over, in ms (default 60 s; a small one is for tests). */
  rateWindowMs?: number;
  maxInFlight?: number;
  /** The largest request body accepted, in bytes (default 1 MB); past it, 413 without reading the rest. */
  maxBodyBytes?: number;
  faults?: Faults;
  /**
   * Alternative readings of the criteria to play (language/readings.ts, docs/sandbox.md);
   * default none: the documented reading of docs/semantics.md.
   */
  readings?: readonly ReadingName[];
  /** The time reports build on, faults wait on and rate windows count on; default the real one. */
  clock?: Clock;
}

export interface Sandbox {
  url: string;
  listId: string;
  credentials: SandboxCredentials;
  contacts: ContactList;
  stats: SandboxStats;
  /** Reports not deleted yet. */
  liveReports(): Report[];
  /** Change the faults while running. */
  faults: Faults;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  for (const reading of options.readings ?? [])
    if (!isReadingName(reading))
      throw new TypeError(
        `'${String(reading)}' is not a reading; the readings are ${readingNames.join(", ")}`,
      );
  const settings: SandboxSettings = {
    credentials: options.credentials ?? defaultSandboxCredentials,
    listId: options.listId ?? "12345",
    buildTimeMs: options.buildTimeMs ?? 2000,
    callsPerMinute: options.callsPerMinute ?? 300,
    rateWindowMs: options.rateWindowMs ?? 60_000,
    maxInFlight: options.maxInFlight ?? 10,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    readings: new Set(options.readings),
  };
  const contacts = new ContactList({
    contacts: options.contacts ?? sandboxDefaults.contacts,
    seed: options.seed ?? sandboxDefaults.seed,
    anchor: options.now ?? Math.floor(Date.now() / 1000),
  });
  const workDirectory = await mkdtemp(join(tmpdir(), "oq-sandbox-"));
  const state = new SandboxState(
    settings,
    contacts,
    { ...options.faults },
    workDirectory,
    options.clock ?? realClock,
  );
  const { stats, reports } = state;

  const server: Server = createServer((req, res) => {
    stats.requests++;
    state.countArrival();
    state.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, state.inFlight);
    res.on("close", () => state.inFlight--);
    if (misbehave(state, req, res)) return;
    if (state.inFlight > settings.maxInFlight) {
      req.resume();
      return rateLimited(state, res, 1);
    }
    route(state, req, res).catch((error: unknown) => {
      if (!res.headersSent) failure(res, 500, "Internal Server Error", [String(error)]);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await rm(workDirectory, { recursive: true, force: true });
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    listId: settings.listId,
    credentials: settings.credentials,
    contacts,
    stats,
    faults: state.faults,
    liveReports: () => [...reports.values()],
    close: async () => {
      reports.clear();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await rm(workDirectory, { recursive: true, force: true });
    },
  };
}
