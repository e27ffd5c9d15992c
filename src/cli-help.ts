/** `gateway help COMMAND` and `gateway COMMAND --help`: each command's words, options and examples. */
import { USERS_USAGE } from './console/cli';

const REMOTE = `  --server URL   send the command to that running gateway's admin API (needs ADMIN_TOKEN)
                 instead of its database; beside a running embedded server (npm start) the
                 command does so on its own`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `usage: gateway serve
Runs the HTTP gateway; without REDIS_URL it also runs the jobs in-process (embedded mode, with
PGlite under DATA_DIR when DATABASE_URL is not set). Settings come from the environment
(README, Configuration); PORT picks the port (3000).
examples:
  npm start
  PORT=3115 npm start
  DATABASE_URL=postgres://gw@db/gw REDIS_URL=redis://cache:6379 WORKERS=0 gateway serve`,
  worker: `usage: gateway worker
Runs job workers and the outbox relay without HTTP (production, beside \`gateway serve\` with
WORKERS=0). Needs DATABASE_URL and REDIS_URL. SIGTERM lets running jobs finish.
example:
  DATABASE_URL=postgres://gw@db/gw REDIS_URL=redis://cache:6379 gateway worker`,
  migrate: `usage: gateway migrate [--down]
Applies the database migrations (serve and worker also do at start); --down rolls all back.
example:
  DATABASE_URL=postgres://gw@db/gw gateway migrate`,
  partners: `usage: gateway partners import FILE [--server URL]
Creates or replaces the partners of a JSON file (one partner object or an array of them, with
the fields of fixtures/contracts/partner.example.json); every problem is listed with its field,
and nothing is imported while one partner is bad.
${REMOTE}
example:
  gateway partners import fixtures/contracts/partner.example.json`,
  catalog: `usage: gateway catalog import FILE [--server URL]
Imports catalog items from a CSV file (the columns of fixtures/contracts/catalog.example.csv:
sku,name,description,unit_price,currency,uom,unspsc,...); every bad row is listed with its line
and column, and nothing is imported while one is bad.
${REMOTE}
example:
  gateway catalog import fixtures/contracts/catalog.example.csv`,
  'price-lists': `usage: gateway price-lists import FILE [--server URL]
Imports contract price lists from a CSV file (the columns of
fixtures/contracts/price-list.example.csv); every bad row is listed, nothing imported while one is.
${REMOTE}
example:
  gateway price-lists import fixtures/contracts/price-list.example.csv`,
  keys: `usage: gateway keys list PARTNER | create PARTNER erp|finance | revoke KEY_ID | rotate KEY_ID [--server URL]
A partner's API keys: list them (prefix, role, created, last used, revoked), create one (printed
once: keep it then), revoke one, or rotate one (a new key of the same role, the old one revoked).
${REMOTE}
examples:
  gateway keys create acme erp
  gateway keys list acme
  gateway keys rotate 6f1c…`,
  edi: `usage: gateway edi ingest FILE... [--server URL]
Takes X12 interchanges from files through the intake (850s become orders, 997/999 go back);
one line per file; exit code 1 when any file was refused.
${REMOTE}
example:
  gateway edi ingest inbox/*.x12`,
  users: `usage:
${USERS_USAGE}
${REMOTE}
examples:
  gateway users add alice --roles approver,finance --partners acme --name "Alice B."
  gateway users passwd alice --password-stdin < new-password.txt
  gateway users roles alice --roles operator --all-partners`,
};
