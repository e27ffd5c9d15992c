/**
 * `npx tsx bench/pipeline/profile-top.ts DIR`: where the CPU time of the gateway's processes went,
 * from the V8 profiles `PIPELINE_CPU_PROF=DIR npm run bench pipeline` wrote (DIR/server1, DIR/worker1 ...;
 * of each process's profiles, one per thread, the busiest: the main thread):
 * self time by module (a package under node_modules, a file of the gateway, or V8/Node itself)
 * and the heaviest functions, per process role.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function moduleOf(url: string): string {
  if (!url) return '(V8 / native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const i = url.indexOf('/src/');
  if (i >= 0) return url.slice(i + 1);
  const p = url.indexOf('/protocols/');
  return p >= 0 ? url.slice(p + 1) : url;
}

const dir = process.argv[2] ?? '.';
const byRole = new Map<string, { total: number; modules: Map<string, number>; fns: Map<string, number> }>();
for (const proc of readdirSync(dir)) {
  const role = proc.replace(/\d+$/, '');
  const profiles = readdirSync(path.join(dir, proc))
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, proc, f), 'utf8')) as Profile);
  const busy = (p: Profile) => {
    const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    return p.samples.reduce((t, id, i) => (idle.has(id) ? t : t + (p.timeDeltas[i] ?? 0)), 0);
  };
  const prof = profiles.sort((a, b) => busy(b) - busy(a))[0];
  if (!prof) continue;
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const r = byRole.get(role) ?? { total: 0, modules: new Map(), fns: new Map() };
  byRole.set(role, r);
  prof.samples.forEach((id, i) => {
    const n = nodes.get(id)!;
    const us = prof.timeDeltas[i] ?? 0;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') return;
    r.total += us;
    const m = ['(garbage collector)', '(program)'].includes(name) ? name : moduleOf(n.callFrame.url);
    r.modules.set(m, (r.modules.get(m) ?? 0) + us);
    const fn = `${name} ${moduleOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    r.fns.set(fn, (r.fns.get(fn) ?? 0) + us);
  });
}
const top = (m: Map<string, number>, total: number, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, us]) =>
        `  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(2).padStart(7)} s  ${k}`,
    );
for (const [role, r] of byRole) {
  console.log(`${role}s: ${(r.total / 1e6).toFixed(1)} s of CPU (not idle)`);
  console.log(top(r.modules, r.total, 15).join('\n'));
  console.log(' heaviest functions (self time):');
  console.log(top(r.fns, r.total, 12).join('\n'));
}
