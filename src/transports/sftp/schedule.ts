import type { Q } from '../../platform/db';
import { sftpPollJob } from './jobs';
import { removeSchedule, upsertSchedule } from '../../platform/schedules';

/** The schedule key of one partner's poll job (sftpPollJob, jobs.ts). */
export const sftpScheduleKey = (partnerId: string): string => `${sftpPollJob.name}:${partnerId}`;

/**
 * In the caller's transaction (a partner change): the partner's inbound directory is polled every
 * sftp.pollSeconds while it has SFTP settings, and no longer once it has none or is deleted.
 */
export async function syncSftpSchedule(
  trx: Q,
  partnerId: string,
  sftp: { pollSeconds: number } | undefined,
): Promise<void> {
  if (!sftp) return removeSchedule(trx, sftpScheduleKey(partnerId));
  await upsertSchedule(trx, {
    key: sftpScheduleKey(partnerId),
    jobName: sftpPollJob.name,
    payload: { partnerId },
    everyMs: sftp.pollSeconds * 1000,
  });
}
