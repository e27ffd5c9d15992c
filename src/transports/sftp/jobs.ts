import { z } from 'zod';
import { defineJob } from '../../platform/jobs';
import { pollMailbox } from './inbound';

/**
 * One poll of one partner's SFTP inbound directory, run every sftp.pollSeconds from the partner's job
 * schedule (schedule.ts). A failed poll is recorded on the mailbox and not retried: the next
 * scheduled poll is the retry.
 */
export const sftpPollJob = defineJob<{ partnerId: string }>({
  name: 'sftp.poll',
  payload: z.object({ partnerId: z.string() }),
  attempts: 1,
  backoffMs: 1000,
  handler: async (data, ctx) => {
    const r = await pollMailbox(ctx, data.partnerId);
    if (r.stored.length || r.errors.length)
      ctx.log.info(
        { partnerId: data.partnerId, stored: r.stored, duplicates: r.duplicates, errors: r.errors },
        'SFTP poll',
      );
  },
});
