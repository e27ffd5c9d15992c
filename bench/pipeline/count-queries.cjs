/**
 * Preloaded into the gateway's processes by `npm run bench pipeline` (NODE_OPTIONS=--require):
 * counts the statements each pg client sends (one round trip each), by statement text, and
 * writes the counts to PIPELINE_QUERY_COUNTS/<PIPELINE_PROC_NAME>-<pid>.json twice a second.
 * Bench instrumentation only; the gateway knows nothing of it.
 */
'use strict';
/* global setInterval */
const fs = require('node:fs');
const path = require('node:path');

const { isMainThread } = require('node:worker_threads');

const dir = process.env.PIPELINE_QUERY_COUNTS;
// The main thread only: tsx's module hooks run in a thread of their own, with the same pid.
if (dir && isMainThread) {
  const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
  const counts = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : config && config.text;
    if (typeof text === 'string') {
      const key = text.replace(/\s+/g, ' ').trim();
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
  const file = path.join(dir, `${process.env.PIPELINE_PROC_NAME || 'proc'}-${process.pid}.json`);
  const flush = () => {
    try {
      // Written aside and renamed, so the bench never reads half a file.
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(counts)));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      /* the bench is gone */
    }
  };
  setInterval(flush, 500).unref();
  process.on('exit', flush);
}
