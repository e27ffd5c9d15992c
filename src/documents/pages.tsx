/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console's Documents screen (admins and operators): the search at /console/documents, one
 * document at /console/documents/:id with its masked bytes (and their download), replay of an
 * inbound document and resend of an outbound one (CSRF, audited; see replay.ts).
 */
import type { Router } from 'express';
import { mayOperate } from '../console/access';
import { field } from '../console/form';
import type { ConsoleScreen } from '../console/screens';
import type { CxmlHandlers } from '../cxml/endpoint';
import { AppError } from '../platform/errors';
import { pagingFrom, sendPage } from '../platform/pages';
import { documentDetail, maskedDocument } from './detail';
import { DocumentPage, ReplayOutcome } from './detail-views';
import { replayDocument, resendDocument } from './replay';
import { documentSearchChoices, parseDocumentSearch, searchConsoleDocuments } from './search';
import { DOCUMENTS_PER_PAGE, DocumentList } from './views';

/** The screen; `cxml` are the handlers POST /cxml dispatches to (a replay takes the same one). */
export function documentsScreen(cxml: CxmlHandlers): ConsoleScreen {
  return {
    tile: { href: '/console/documents', label: 'Documents', id: 'to-documents', may: mayOperate },
    routes: (r: Router, kit) => {
      const { ctx } = kit;
      const operator = kit.needs(mayOperate, 'it is for admins and operators');
      r.get('/console/documents', operator, async (req, res) => {
        const parsed = parseDocumentSearch(req.query);
        if ('invalid' in parsed)
          throw new AppError('bad_request', `invalid filter: ${parsed.invalid.join(', ')}`);
        const paging = pagingFrom(req.query, { limit: DOCUMENTS_PER_PAGE, maxLimit: 200 });
        const [found, choices] = await Promise.all([
          searchConsoleDocuments(ctx, parsed.ok, paging),
          documentSearchChoices(ctx),
        ]);
        sendPage(res, kit.chrome(req), {
          title: 'Documents',
          flash: await kit.flash(req),
          body: <DocumentList f={parsed.ok} choices={choices} paging={paging} {...found} />,
        });
      });
      r.get('/console/documents/:id', operator, async (req, res) => {
        const d = await documentDetail(ctx, String(req.params.id));
        sendPage(res, kit.chrome(req), {
          title: `Document ${d.doc.doc_type}`,
          flash: await kit.flash(req),
          body: <DocumentPage d={d} csrf={kit.csrf(req)} mayAct={true} />,
        });
      });
      r.get('/console/documents/:id/raw', operator, async (req, res) => {
        const { doc, content } = await maskedDocument(ctx, String(req.params.id));
        const ext =
          doc.protocol === 'x12'
            ? 'edi'
            : doc.protocol === 'json'
              ? 'json'
              : doc.protocol === 'oci'
                ? 'txt'
                : 'xml';
        // Never rendered by the browser: a stored document is whatever a sender sent.
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Disposition', `attachment; filename="document-${doc.id}.${ext}"`);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'no-store');
        res.send(content);
      });
      r.post('/console/documents/:id/replay', kit.form, operator, kit.checkCsrf, async (req, res) => {
        const id = String(req.params.id);
        const result = await replayDocument(ctx, cxml, req, id, field(req, 'reason'), kit.audit(req));
        sendPage(res, kit.chrome(req), { title: 'Replay', body: <ReplayOutcome id={id} r={result} /> });
      });
      r.post('/console/documents/:id/resend', kit.form, operator, kit.checkCsrf, async (req, res) => {
        const id = String(req.params.id);
        const deliveryId = await resendDocument(ctx, id, field(req, 'reason'), kit.audit(req));
        await kit.done(req, res, `Resend queued (delivery ${deliveryId}).`, `/console/documents/${id}`);
      });
    },
  };
}
