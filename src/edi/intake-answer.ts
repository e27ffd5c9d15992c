/** The answer to an inbound X12 payload: one interchange of the TA1s and a 997/999 group. */
import {
  buildFunctionalAck,
  serializeInterchange,
  type TransactionSetInput,
  type X12Document,
} from '../../protocols/x12';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import type { PartnerRow } from '../partners/repository';
import { nextControlNumber, nextControlNumbers } from '../platform/sequences';
import { delimitersOf, supplierGsId } from './outbound';
import { versionOf, type Answer } from './intake-model';

/** The answer interchange, its control numbers taken; undefined when there is nothing to answer. */
export async function renderAnswer(
  trx: Q,
  ctx: AppContext,
  partner: PartnerRow,
  doc: X12Document,
  answer: Answer,
): Promise<string | undefined> {
  if (answer.acks.length === 0 && answer.ta1s.length === 0) return undefined;
  const first = doc.interchanges[0]!.header; // the caller refused a document without interchange
  const version = versionOf(partner, first.version);
  const x12 = partner.settings.x12;
  const acks: TransactionSetInput[] = [];
  // ISA13, GS06, ST02 in this order, as src/edi/outbound.ts takes them: an answer and an outbound
  // document for the same partner at once queue behind each other's row locks instead of deadlocking.
  const isa = await nextControlNumber(trx, partner.id, 'isa');
  const gs = answer.acks.length > 0 ? await nextControlNumber(trx, partner.id, 'gs') : 0;
  const stNumbers = await nextControlNumbers(trx, partner.id, 'st', answer.acks.length);
  answer.acks.forEach((a, i) => {
    acks.push(
      buildFunctionalAck(a.group, {
        version,
        controlNumber: stNumbers[i] as number,
        ...(a.rejectAll ? { rejectAll: a.rejectAll } : {}),
      }),
    );
  });
  const gs02 = answer.acks[0]?.group.header.applicationSender.replace(/[^A-Za-z0-9 ]/g, '').trim();
  return serializeInterchange({
    delimiters: delimitersOf(partner),
    version,
    sender: { qualifier: ctx.config.SUPPLIER_X12_QUALIFIER, id: ctx.config.SUPPLIER_X12_ID },
    receiver: { qualifier: first.senderQualifier, id: first.senderId },
    controlNumber: isa,
    date: ctx.now(),
    usage: first.usage === 'T' ? 'T' : 'P',
    interchangeAcks: answer.ta1s,
    groups:
      acks.length > 0
        ? [
            {
              applicationSender: supplierGsId(ctx.config),
              applicationReceiver: x12?.gsId || gs02 || first.senderId,
              controlNumber: gs,
              transactionSets: acks,
            },
          ]
        : [],
  });
}
