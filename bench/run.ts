/**
 * `npm run bench [name...] [--flag value...]` runs every bench/*.bench.ts (or those whose file name
 * contains a given name). Each bench prints its own figures next to the baseline it is compared
 * with; `--flag value` pairs are left in process.argv for the benches (`--servers 2` for pipeline).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // Numbers are flag values, never bench names (`npm run bench pipeline --servers 2` without `--`
  // hands the script `pipeline 2` and npm_config_servers=true).
  const only = args.filter(
    (a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--') && !/^\d+$/.test(a),
  );
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}`);
  for (const file of files) {
    console.log(`\n## ${file.replace('.bench.ts', '')}`);
    const mod = (await import(path.join(__dirname, file))) as { default: () => Promise<void> };
    await mod.default();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
