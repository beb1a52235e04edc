import type * as Https from "node:https";
import type * as Tls from "node:tls";

/*
 * node:https and node:tls, loaded when a request first goes to an https URL rather than at every
 * start: they load Node's TLS and crypto, ~10 ms of a start that a plain http URL (the sandbox, a
 * server on loopback) never needs. Ongage itself is https: a run against it loads them at its
 * first call.
 */

let https: Promise<typeof Https> | undefined;
let tls: Promise<typeof Tls> | undefined;

export const httpsModule = (): Promise<typeof Https> => (https ??= import("node:https"));
export const tlsModule = (): Promise<typeof Tls> => (tls ??= import("node:tls"));
