import type { Q } from '../../platform/db';
import { removeSchedule, upsertSchedule } from '../../platform/schedules';

/** The job that polls one partner's inbound SFTP directory (defined in jobs.ts). */
export const SFTP_POLL_JOB = 'sftp.poll';

export const sftpScheduleKey = (partnerId: string): string => `${SFTP_POLL_JOB}:${partnerId}`;

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
    jobName: SFTP_POLL_JOB,
    payload: { partnerId },
    everyMs: sftp.pollSeconds * 1000,
  });
}
