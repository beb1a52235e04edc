// The `oq` command: the one place that hands the real process to the command line.
import { main } from "./main.js";

await main(process.argv.slice(2), process);
