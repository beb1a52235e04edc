import fc from "fast-check";
import { expect } from "vitest";
import { countSpawns } from "./support/spawnCount.js";

/*
 * Property tests run with a fixed seed by default, so that a run (and CI) is reproducible.
 * `npm run test:fuzz` (or OQ_PROPERTY_SEED=random) explores new inputs; a failure prints the
 * seed to replay with OQ_PROPERTY_SEED=<seed>.
 */
const seedSetting = process.env["OQ_PROPERTY_SEED"];
if (seedSetting !== "random") fc.configureGlobal({ seed: seedSetting ? Number(seedSetting) : 20_261_127 });

countSpawns(expect.getState().testPath ?? "unknown");
