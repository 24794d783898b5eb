// The bounds of what a scenario may ask for (README, "Limits"): each keeps one run finite
// and inside this machine's memory (multi-rack, 1,024 sleds × 64 artifacts, peaks near
// 450 MiB). Values past them are refused with the limit in the message, before a run starts.

/** Sleds in the rack at any time, `add_sleds` included: the largest rack measured (BENCHMARKS, scale). */
export const MAX_SLEDS = 1024;
/** Nexus instances (a rack runs three). */
export const MAX_NEXUS = 16;
/** M.2 datasets per sled (a sled has two) and the engine's expected count of them. */
export const MAX_M2_PER_SLED = 8;
/** Artifacts of one repo, and of all repos together. */
export const MAX_REPO_ARTIFACTS = 4096;
export const MAX_ARTIFACTS = 8192;
/** Sleds × artifacts, the size of the rack's inventory: multi-rack's 1,024 × 64. */
export const MAX_SLED_ARTIFACT_PAIRS = 65_536;
/** Scheduled events. */
export const MAX_EVENTS = 10_000;
/** Simulated time: `duration` and `expect.converge_within` each (rack-day over a week: about 5 s, 400 MiB). */
export const MAX_DURATION_US = 7 * 86_400_000_000;
/** The shortest activation period, sampling interval and mean time between random faults. */
export const MIN_PERIOD_US = 1_000_000;
export const MIN_SAMPLE_EVERY_US = 1_000_000;
export const MIN_FAULT_EVERY_US = 60_000_000;
/** Rows of timeline.csv: `duration + converge_within` over `sample_every`. */
export const MAX_SAMPLES = 200_000;
/**
 * Activations of all Nexus over the run, times the sleds each one plans for: about half a
 * millisecond per activation of a 32-sled rack, so at most about 15 s of planning.
 */
export const MAX_SLED_ACTIVATIONS = 1_000_000;
