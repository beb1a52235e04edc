// A TCP proxy that paces what the server sends to about RATE MB/s per connection: a link slower
// than loopback, for the export benchmark (bench/export.mjs). Its own process, since the
// benchmark waits on its commands synchronously. `node bench/pacedProxy.mjs TARGET_PORT RATE_MBPS`
// prints `port=N` once it listens.
import { connect, createServer } from "node:net";

const [targetPort, rateMbps] = process.argv.slice(2).map(Number);
const bytesPerMs = (rateMbps * 1048576) / 1000;

const server = createServer((client) => {
  const upstream = connect(targetPort, "127.0.0.1");
  client.pipe(upstream);
  const start = performance.now();
  let sent = 0;
  upstream.on("data", (chunk) => {
    sent += chunk.length;
    const ahead = sent / bytesPerMs - (performance.now() - start);
    if (!client.write(chunk) || ahead > 1) {
      upstream.pause();
      const resume = () => setTimeout(() => upstream.resume(), Math.max(0, ahead));
      if (client.writableNeedDrain) client.once("drain", resume);
      else resume();
    }
  });
  upstream.on("end", () => client.end());
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.on("close", () => upstream.destroy());
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`port=${server.address().port}\n`));
