/**
 * The demo catalog's pictures (fixtures/demo/images), served by the gateway itself so the demo
 * needs no outside asset: GET /assets/demo/<name>.svg, DEMO only. Read once; names outside the
 * folder's own files are a 404.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { DEMO_IMAGE_PATH } from '../demo';

const IMAGE_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'demo', 'images');
const NAME = /^[a-z0-9-]+\.svg$/;

export function demoImageRoutes(): Router {
  const images = new Map<string, Buffer>();
  for (const f of readdirSync(IMAGE_DIR)) {
    if (NAME.test(f)) images.set(f, readFileSync(path.join(IMAGE_DIR, f)));
  }
  const r = Router();
  r.get(`${DEMO_IMAGE_PATH}:name`, (req, res) => {
    const svg = images.get(req.params.name ?? '');
    if (!svg) return res.status(404).type('text/plain').send('no such picture\n');
    // Opened on its own, an SVG is a document: it may load and run nothing.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').send(svg);
  });
  return r;
}
