/** The pages' stylesheet, served by the gateway itself (no CDN, no build step). */
import { Router } from 'express';
import { STYLESHEET } from './styles';
import { themeCss } from './theme';

export function pageAssets(): Router {
  const r = Router();
  r.get('/assets/pages.css', (_req, res) => {
    // Immutable under its versioned URL (STYLESHEET_PATH carries the hash of the CSS).
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type('text/css').send(STYLESHEET);
  });
  r.get('/assets/theme.css', (req, res) => {
    // The URL holds the colours, so it can be cached as long as the stylesheet.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type('text/css').send(themeCss(req.query));
  });
  return r;
}
