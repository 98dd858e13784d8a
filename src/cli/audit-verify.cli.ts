import { AuditService } from '../oversight/audit/audit.service.js';
import { print, runCli } from './run-cli.js';

/** `npm run audit:verify`: recomputes every session's hash chain; exits 1 if any is broken. */
void runCli(async (app) => {
  const summary = await app.get(AuditService).verifyAll((report) => {
    if (!report.valid) print(`BROKEN ${report.sessionId} at seq ${report.firstBrokenSeq}: ${report.reason}`);
  });
  print(`${summary.sessions} session(s) verified, ${summary.broken} broken`);
  return summary.broken > 0 ? 1 : 0;
});
