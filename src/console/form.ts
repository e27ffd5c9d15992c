/** Reading the console's forms and query strings. */
import type { Request } from 'express';

/** Where to go after sign-in: a path of ours only (never another site, never a scheme). */
export function safeNext(v: unknown): string {
  if (typeof v !== 'string' || v.length > 500) return '/';
  return /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/.test(v) ? v : '/';
}

/** Every value of a repeated form field (checkboxes). */
export const formList = (req: Request, name: string): string[] =>
  ([] as unknown[])
    .concat((req.body as Record<string, unknown> | undefined)?.[name] ?? [])
    .filter((v): v is string => typeof v === 'string');
export const commaList = (v: string) =>
  v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

export const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};
