// Start a field page: its Alpine components plus the queue panel, the service worker
// (so the page works without signal next time), and the outbox sender.
import { startAlpine } from "../../lib/alpine.js";
import { registerWorker } from "./common.js";
import { startSyncing } from "./outbox.js";
import { queuePanel } from "./queue-panel.js";

export function startFieldPage(components) {
  startAlpine({ queuePanel, ...components });
  registerWorker();
  startSyncing();
}
