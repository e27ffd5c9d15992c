/**
 * Repeatable jobs: a row of `job_schedules` names a job definition, its payload and a period. The
 * outbox relay (both queue adapters) turns every due row into an outbox row in the same statement
 * that moves the row's next run one period on, so each period runs the job once, on whichever worker
 * takes it, whatever the number of relays; a schedule written in a transaction exists exactly when
 * that transaction commits (a partner's SFTP polling starts with the partner). Runs never pile up
 * behind a stopped relay: a late schedule runs once, then continues one period from then.
 */
import type { Q, RawRows } from './db';

export interface Schedule {
  /** One schedule per key ("sftp.poll:acme"). */
  key: string;
  jobName: string;
  payload: object;
  everyMs: number;
}

/**
 * Creates or changes a schedule in the caller's transaction. A new one runs at once; a changed
 * period applies from now on (its next run comes no later than one new period from now).
 */
export async function upsertSchedule(q: Q, s: Schedule): Promise<void> {
  await q.raw(
    `insert into job_schedules (key, job_name, payload, every_ms) values (?, ?, ?::jsonb, ?)
     on conflict (key) do update set job_name = excluded.job_name, payload = excluded.payload,
       every_ms = excluded.every_ms, updated_at = now(),
       next_run_at = least(job_schedules.next_run_at, now() + excluded.every_ms * interval '1 millisecond')`,
    [s.key, s.jobName, JSON.stringify(s.payload), s.everyMs],
  );
}

export async function removeSchedule(q: Q, key: string): Promise<void> {
  await q('job_schedules').where({ key }).delete();
}

/**
 * Called by the relay in its transaction: queues one outbox row for each due schedule (at most
 * `limit`) and moves those schedules on. Returns how many were queued.
 */
export async function queueDueSchedules(q: Q, limit = 100): Promise<number> {
  const res = await q.raw<RawRows<{ id: number }>>(
    `with due as (
       select key from job_schedules where next_run_at <= now()
       order by next_run_at limit ? for update skip locked
     ), moved as (
       update job_schedules s
          set next_run_at = now() + s.every_ms * interval '1 millisecond', last_run_at = now()
         from due where s.key = due.key
       returning s.job_name, s.payload
     )
     insert into outbox (job_name, payload) select job_name, payload from moved returning id`,
    [limit],
  );
  return (res.rows ?? []).length;
}
