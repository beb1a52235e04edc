/**
 * The local Ongage-compatible server, as a library (`import { startSandbox } from "oq/sandbox"`),
 * for tests that want real HTTP: `const sandbox = await startSandbox({ port: 0 })`.
 */
export { startSandbox, type Sandbox, type SandboxOptions } from "../sandbox/server.js";
export { defaultSandboxCredentials, type SandboxStats, type SandboxCredentials } from "../sandbox/state.js";
export { parseFaults, type Faults } from "../sandbox/faults.js";
export { parseReadings } from "../sandbox/readings.js";
export {
  ContactList,
  evaluationContact,
  sandboxCustomFields,
  sandboxSegments,
  type ContactRecord,
} from "../sandbox/data.js";
