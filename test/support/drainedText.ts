import type { ByteSource } from "../../src/client/byteSource.js";

/** An export's whole body as text, drained as a download drains it (each chunk copied: the reader reuses its buffer). */
export async function drainedText(source: ByteSource): Promise<string> {
  const chunks: Buffer[] = [];
  await source.drain((chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
