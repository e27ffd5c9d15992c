/** The pages' stylesheet, served by the gateway itself (no CDN, no build step). */
import { Router } from 'express';
import { STYLESHEET } from './styles';

export function pageAssets(): Router {
  const r = Router();
  r.get('/assets/pages.css', (_req, res) => {
    // Immutable under its versioned URL (STYLESHEET_PATH carries the hash of the CSS).
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type('text/css').send(STYLESHEET);
  });
  return r;
}
