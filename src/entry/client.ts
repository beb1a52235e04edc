/**
 * oq's Ongage client and report runner, as a library (`import ... from "oq/client"`):
 *
 *     const client = new OngageClient({ auth: headerAuth({ username, password, accountCode }), listId });
 *     const summary = await runReport({ client, request: compile(text).payload!, destination: { kind: "file", path: "out.csv" } });
 */
export {
  OngageClient,
  defaultBaseUrl,
  type OngageClientOptions,
  type ClientEvent,
  type ListReportsParams,
  type ListFieldInfo,
} from "../client/client.js";
export type { UnknownCreates } from "../client/createRecovery.js";
export type { Clock } from "../client/clock.js";
export { headerAuth, apiKeyAuth, type AuthScheme, type HeaderCredentials } from "../client/auth.js";
export { OngageError, CredentialError, ListIdError, type OngageErrorKind } from "../client/errors.js";
export { reportState, type ReportInfo } from "../client/envelope.js";
export {
  ServerText,
  Redaction,
  type Redacted,
  type RedactedLine,
  type Quotable,
} from "../client/serverText.js";
export type { BackoffOptions } from "../client/backoff.js";
export {
  nodeTransport,
  fetchTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from "../client/transport.js";
export { newMarker, markTitle, markerOf, type ReportMarker } from "../client/reportMarker.js";
export {
  runReport,
  type RunOptions,
  type RunSummary,
  type RunProgress,
  type RunState,
} from "../runner/runReport.js";
export { runPlan, type PlanOptions, type PlanSummary, type PlanProgress } from "../runner/runPlan.js";
export { ReportLedger, type Settlement } from "../runner/reportLedger.js";
export type { MergeStats } from "../runner/mergeResults.js";
export type { CsvDestination } from "../runner/csvOutput.js";
