/**
 * The local Ongage-compatible server, as a library (`import { startSandbox } from "oq/sandbox"`),
 * for tests that want real HTTP: `const sandbox = await startSandbox({ port: 0 })`.
 */
export { startSandbox, defaultSandboxCredentials, type Sandbox, type SandboxOptions, type SandboxStats, type SandboxCredentials } from "../sandbox/server.js";
export { parseFaults, type Faults } from "../sandbox/faults.js";
export { ContactList, evaluationContact, sandboxCustomFields, sandboxSegments, type ContactRecord } from "../sandbox/data.js";
