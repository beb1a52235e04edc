import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { envelope, failure, readBody, tooLarge } from "./answers.js";
import { sandboxCustomFields } from "./data.js";
import { badCreateAnswer } from "./misbehaviour.js";
import { describeReport, detailedCsv, statusOf, validateRequest, type Report } from "./reports.js";
import type { SandboxCredentials, SandboxState } from "./state.js";
import { chunkBytes, streamCsv } from "./streaming.js";

function authorized(credentials: SandboxCredentials, req: IncomingMessage): boolean {
  return (
    req.headers["x_username"] === credentials.username &&
    req.headers["x_password"] === credentials.password &&
    req.headers["x_account_code"] === credentials.accountCode
  );
}

/** 429, counted; with Retry-After in seconds unless `retryAfter` is undefined. */
export function rateLimited(state: SandboxState, res: ServerResponse, retryAfter: number | undefined): void {
  state.stats.rateLimited++;
  failure(
    res,
    429,
    "Calls per minute exceeded",
    [],
    retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
  );
}

/**
 * Answers one request as Ongage would: the route, auth, the list id in the path, the rate limit,
 * then the resource (list fields; create, list, get, delete and export reports).
 */
export async function route(state: SandboxState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { faults, stats, reports, contacts, settings } = state;
  const url = new URL(req.url ?? "/", "http://sandbox");
  const match =
    /^\/(?:([^/]+)\/)?api\/(contact_activity|list_fields)(?:\/(\d+)(?:\/(export|export_detailed))?)?\/?$/.exec(
      url.pathname,
    );
  const route = match
    ? `${req.method} ${match[2]}${match[3] ? "/:id" : ""}${match[4] ? `/${match[4]}` : ""}`
    : `${req.method} ?`;
  stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;

  if (!authorized(settings.credentials, req))
    return failure(res, 401, "Unauthorized", [
      "X_USERNAME, X_PASSWORD and X_ACCOUNT_CODE do not match an account",
    ]);
  if (!match || (match[1] !== undefined && match[1] !== settings.listId))
    return failure(res, 404, "Not Found", [`no such resource: ${url.pathname}`]);

  if (faults.rateLimitBurst) {
    faults.rateLimitBurst--;
    return rateLimited(state, res, faults.omitRetryAfter ? undefined : (faults.retryAfterSeconds ?? 1));
  }
  const retryAfter = state.admitCall();
  if (retryAfter !== undefined) return rateLimited(state, res, retryAfter);
  if ((req.method === "GET" || req.method === "DELETE") && faults.serverErrors) {
    faults.serverErrors--;
    stats.serverErrors++;
    return failure(res, 503, "Service Unavailable");
  }

  const [, , resource, idText, exportKind] = match;
  if (resource === "list_fields") {
    if (req.method !== "GET") return failure(res, 405, "Method Not Allowed");
    const fields = [
      { name: "email", type: "email" },
      ...Object.entries(sandboxCustomFields).map(([name, type]) => ({
        name,
        type,
        ...(type === "date" ? { format: "yyyy-mm-dd" } : {}),
      })),
    ];
    return envelope(res, 200, fields, fields.length);
  }

  if (idText === undefined) {
    if (req.method === "POST") {
      const text = await readBody(req, settings.maxBodyBytes);
      if (text === undefined) {
        stats.tooLarge++;
        return tooLarge(res, settings.maxBodyBytes);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return failure(res, 400, "Bad Request", ["the body is not JSON"]);
      }
      const { request, errors } = validateRequest(body);
      if (!request) return failure(res, 412, "Precondition Failed", errors);
      if (faults.delayedStoreMs !== undefined) {
        // Stored late, whether or not the client is still waiting.
        const delay = faults.delayedStoreMs;
        delete faults.delayedStoreMs;
        await state.clock.sleep(delay);
      }
      if (faults.truncateTitles !== undefined) request.title = request.title.slice(0, faults.truncateTitles);
      const report: Report = {
        id: state.newReportId(),
        request,
        createdAt: state.clock.now(),
        readyAt: faults.neverComplete ? Infinity : state.clock.now() + settings.buildTimeMs,
        failed: faults.failReports === true,
        built: false,
      };
      reports.set(report.id, report);
      report.building = state.buildReportFile(report).catch(() => undefined);
      stats.reportsCreated++;
      if (faults.dropCreateAfterCommit) {
        faults.dropCreateAfterCommit--;
        stats.droppedCreates++;
        req.socket.destroy();
        return;
      }
      if (faults.createAnswer) {
        const kind = faults.createAnswer;
        delete faults.createAnswer;
        return badCreateAnswer(req, res, kind, describeReport(report, state.clock.now()));
      }
      return envelope(res, 200, describeReport(report, state.clock.now()));
    }
    if (req.method === "GET") {
      const sort = url.searchParams.get("sort") ?? "id";
      const order = (url.searchParams.get("order") ?? "DESC").toUpperCase() === "ASC" ? 1 : -1;
      const offset = Number(url.searchParams.get("offset") ?? 0) || 0;
      const limit = Number(url.searchParams.get("limit") ?? 50) || 50;
      const visibleBefore = state.clock.now() - (faults.lateVisibleMs ?? 0);
      const all = [...reports.values()]
        .filter((report) => report.createdAt <= visibleBefore)
        .map((report) => describeReport(report, state.clock.now()));
      const key = (r: Record<string, string>) =>
        sort === "title" ? r["title"]! : Number(r[sort] ?? r["id"]);
      all.sort((a, b) => (key(a) < key(b) ? -order : key(a) > key(b) ? order : 0));
      return envelope(res, 200, all.slice(offset, offset + limit), all.length);
    }
    return failure(res, 405, "Method Not Allowed");
  }

  const report = reports.get(Number(idText));
  if (!report) return failure(res, 404, "Not Found", [`no contact activity report ${idText}`]);
  if (req.method === "DELETE" && !exportKind) {
    if (faults.hangDeletes) {
      // Never answered; the connection stays open until the client gives up.
      faults.hangDeletes--;
      return;
    }
    reports.delete(report.id);
    if (report.file) await rm(report.file, { force: true });
    stats.reportsDeleted++;
    return envelope(res, 200, { id: String(report.id), deleted: true });
  }
  if (req.method !== "GET") return failure(res, 405, "Method Not Allowed");
  if (!exportKind) {
    // Its time up, a report's file is written before its status says so: how many status checks
    // a report takes depends on its build time, not on how busy the machine is.
    if (state.clock.now() >= report.readyAt) await report.building;
    return envelope(res, 200, describeReport(report, state.clock.now()));
  }
  if (statusOf(report, state.clock.now()) !== 2)
    return failure(res, 412, "Precondition Failed", [`report ${report.id} is not completed`]);
  if (exportKind === "export_detailed")
    return streamCsv(
      faults,
      state.clock,
      req,
      res,
      detailedCsv(report.request, contacts, state.settings.readings),
    );
  return streamCsv(
    faults,
    state.clock,
    req,
    res,
    createReadStream(report.file!, { highWaterMark: chunkBytes }),
  );
}
