// The sending-queue page: only the queue panel, opened.
import { startFieldPage } from "./register.js";

startFieldPage({});
