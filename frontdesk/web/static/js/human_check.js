// The human check's widget (ALTCHA), in the form our Content-Security-Policy allows: the
// external build (scripts/vendor) with its proof-of-work worker loaded from a file of our
// own origin, where the default build would start it from an inline blob. Pages load
// vendor/altcha/altcha.css beside it.
import "../vendor/altcha/altcha.min.js";

const worker = new URL("../vendor/altcha/pbkdf2.js", import.meta.url);
// The algorithm of our challenges (intake/human_check.py ALGORITHM).
globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));
