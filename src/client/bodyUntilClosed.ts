import type { ClientRequest, IncomingMessage } from "node:http";
import { Readable } from "node:stream";

/**
 * How long a server asked to close the connection after its answer may keep it open before oq
 * closes it itself (and takes the body as whole): bytes past an answer's end follow it at once.
 */
const closeGraceMs = 1000;

/** The server sent bytes after the end of its answer, as its Content-Length (or last chunk) put it. */
export class PastEndError extends Error {
  override name = "PastEndError";
  constructor() {
    super(
      "sent bytes past the end of its answer (after its Content-Length, or after its last chunk): the body cannot be trusted",
    );
  }
}

/**
 * The body of an answer on a connection that serves this call alone (sent with `Connection:
 * close`): it ends only once the server has closed the connection, and fails with PastEndError
 * if the server sent anything after the answer's end. node's HTTP parser stops reading a body
 * where its Content-Length says, so a Content-Length shorter than the body would otherwise cut
 * it there in silence, between two rows of a CSV as well as anywhere.
 *
 * What happens on the connection is noted from the start, but the body flows (and so can fail)
 * only once it is read: an error is never emitted before its reader listens.
 */
export function bodyUntilClosed(request: ClientRequest, response: IncomingMessage): Readable {
  const socket = response.socket;
  let failure: Error | undefined;
  let started = false;
  let waiting = false;
  let grace: NodeJS.Timeout | undefined;
  const body = new Readable({
    read() {
      if (!started) start();
      else response.resume();
    },
    destroy(error, callback) {
      stop();
      response.destroy();
      callback(error);
    },
  });
  const fail = (error: Error) => {
    failure ??= error;
    if (started && !body.destroyed) body.destroy(failure);
  };
  // Bytes that arrive once the answer is complete are past its end. (node's own listener
  // comes first: it completes the answer with the bytes that end it, before this one looks.)
  let completeBefore = false;
  const watch = () => {
    if (completeBefore) {
      socket.destroy();
      if (waiting) stop();
      fail(new PastEndError());
    }
    completeBefore = response.complete;
  };
  const closed = () => {
    if (!waiting) return;
    stop();
    if (failure) fail(failure);
    else body.push(null);
  };
  const stop = () => {
    waiting = false;
    clearTimeout(grace);
    socket.off("data", watch);
    socket.off("end", closed);
    socket.off("close", closed);
  };
  socket.on("data", watch);
  // This listener came too late for the read that brought the headers: once node has parsed
  // all of it, whether it also held the answer's end.
  process.nextTick(() => (completeBefore ||= response.complete));
  // Bytes past the end in the same read as the end: the parser fails the request (HPE_...).
  request.on("error", (error: NodeJS.ErrnoException) =>
    fail(error.code?.startsWith("HPE_") ? Object.assign(new PastEndError(), { cause: error }) : error),
  );
  response.on("error", (error) => fail(error));

  function start(): void {
    started = true;
    if (failure && response.destroyed) return void body.destroy(failure);
    response.on("data", (chunk: Buffer) => {
      if (!body.push(chunk)) response.pause();
    });
    response.once("end", () => {
      if (failure) return void body.destroy(failure);
      waiting = true;
      if (socket.destroyed || socket.readableEnded) return closed();
      socket.once("end", closed);
      socket.once("close", closed);
      grace = setTimeout(() => {
        socket.destroy();
        closed();
      }, closeGraceMs);
    });
  }
  return body;
}
